package dev.fdkit.faults;

import dev.fdkit.FdInfo;
import dev.fdkit.FdKind;
import dev.fdkit.Fds;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.spawn.FdProcessBuilder;
import dev.fdkit.spawn.ListenFds;
import dev.fdkit.spawn.SpawnMechanism;

import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * fdkit-spawn under a fault, in a child JVM started by {@link Faultrun}. Prints "key=value" lines; a failure is
 * printed as {@code error=Class: message} so the test can tell a checked exception from an unchecked one.
 */
public final class SpawnScenarios {
    public static void main(String[] args) throws Exception {
        try {
            switch (args[0]) {
                case "exact" -> exact(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                case "destroy" -> destroy();
                case "listen" -> listen();
                case "unwaited" -> unwaited();
                default -> throw new IllegalArgumentException(args[0]);
            }
        } catch (Throwable t) {
            System.out.println("error=" + t.getClass().getName() + ": " + t.getMessage());
        }
        System.out.flush();
    }

    /**
     * A child given {@code parentFd} at {@code childFd}, while the parent holds descriptors it must not get: it
     * reports its own table (the shell's, listed by a separate ls) and its exit status.
     */
    static void exact(int parentFd, int childFd) throws Exception {
        int junk = FdCalls.open("/dev/null", FdCalls.O_RDONLY, 0); // not close-on-exec, as a leak would be
        FdCalls.dup2(junk, 40);
        // ls runs as the shell's child and lists the shell's table; no pipeline, whose pipe the shell would hold
        Process p = new FdProcessBuilder("sh", "-c", "ls /proc/$$/fd; exit 7")
                .passFd(parentFd, childFd).redirectError(Redirect.INHERIT).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println("fds=" + String.join(" ", out.strip().split("\\s+")));
        System.out.println("exit=" + (p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : "timeout"));
        System.out.println("mechanism=" + SpawnMechanism.selected().propertyValue());
    }

    /**
     * Children nobody waits for, started back to back: each must still be reaped, with its status, and its onExit
     * completed; then one that is waited for. Reports whether fdkit's reaper thread runs.
     */
    static void unwaited() throws Exception {
        List<Process> started = new ArrayList<>();
        for (int i = 0; i < 20; i++) started.add(new FdProcessBuilder("sh", "-c", "exit 5").start());
        List<java.util.concurrent.CompletableFuture<Process>> exits = started.stream().map(Process::onExit).toList();
        java.util.concurrent.CompletableFuture.allOf(exits.toArray(java.util.concurrent.CompletableFuture[]::new))
                .get(20, TimeUnit.SECONDS);
        System.out.println("exits=" + started.stream().map(p -> Integer.toString(p.exitValue())).distinct().toList());
        Set<Long> pids = new java.util.HashSet<>(started.stream().map(Process::pid).toList());
        System.out.println("unreaped=" + ProcessHandle.current().children().filter(h -> pids.contains(h.pid())).count());
        Process waited = new FdProcessBuilder("sh", "-c", "exit 3").start();
        System.out.println("waited=" + (waited.waitFor(20, TimeUnit.SECONDS) ? waited.exitValue() : "timeout"));
        System.out.println("reaper=" + Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("fdkit-reaper")).count());
    }

    /** destroy() of a sleeping child, then waitFor; and a child that exits by itself is still waited for. */
    static void destroy() throws Exception {
        Process quick = new FdProcessBuilder("sh", "-c", "exit 3").start();
        System.out.println("quick=" + (quick.waitFor(20, TimeUnit.SECONDS) ? quick.exitValue() : "timeout"));
        Process p = new FdProcessBuilder("sleep", "60").start();
        p.destroy();
        System.out.println("destroyed=" + (p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : "timeout"));
        Process q = new FdProcessBuilder("sleep", "60").start();
        q.toHandle().destroyForcibly();
        System.out.println("handle_destroyed=" + (q.waitFor(10, TimeUnit.SECONDS) ? q.exitValue() : "timeout"));
        if (p.isAlive()) p.destroyForcibly();
        if (q.isAlive()) q.destroyForcibly();
    }

    /** ListenFds.inherited() with whatever LISTEN_* the launcher set: what it hands out must be sockets. */
    static void listen() throws Exception {
        List<ListenFds.Fd> fds = ListenFds.inherited();
        Map<Integer, FdKind> kinds = new HashMap<>();
        for (FdInfo info : Fds.list()) kinds.put(info.fd(), info.kind());
        Set<FdKind> sockets = EnumSet.of(FdKind.UNIX, FdKind.TCP, FdKind.UDP, FdKind.NETLINK, FdKind.PACKET,
                FdKind.RAW, FdKind.SOCKET);
        List<String> wrong = new ArrayList<>();
        for (ListenFds.Fd fd : fds) {
            FdKind k = kinds.get(fd.fd());
            if (!sockets.contains(k)) wrong.add(fd.fd() + ":" + k);
        }
        System.out.println("count=" + fds.size());
        System.out.println("not_sockets=" + wrong);
    }
}
