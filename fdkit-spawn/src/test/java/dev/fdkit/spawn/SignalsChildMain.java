package dev.fdkit.spawn;

import dev.fdkit.spawn.internal.NativeSpawn;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by {@link SignalsTest} in a JVM started with some signals ignored: prints its own ignored set, then what a
 * child started by fdkit (mechanism args[0]) and one started by the JDK's ProcessBuilder start with.
 */
public final class SignalsChildMain {
    public static void main(String[] args) throws Exception {
        System.out.println("jvm-SigIgn=" + field(Files.readAllLines(Path.of("/proc/self/status")), "SigIgn"));
        SpawnMechanism m = SpawnMechanism.valueOf(args[0]);
        String[] grep = {"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"};
        Process p = new FdProcessBuilder(grep).mechanism(m).start();
        var fdkit = new String(p.getInputStream().readAllBytes()).lines().toList();
        System.out.println("fdkit-exit=" + p.waitFor());
        System.out.println("fdkit-SigIgn=" + field(fdkit, "SigIgn"));
        System.out.println("fdkit-SigBlk=" + field(fdkit, "SigBlk"));
        Process q = new ProcessBuilder(grep).start();
        var jdk = new String(q.getInputStream().readAllBytes()).lines().toList();
        System.out.println("jdk-exit=" + q.waitFor());
        System.out.println("jdk-SigIgn=" + field(jdk, "SigIgn"));
        System.out.println("clone3=" + NativeSpawn.usesClone3());
    }

    private static String field(java.util.List<String> status, String name) {
        return status.stream().filter(l -> l.startsWith(name + ":")).findFirst().orElseThrow()
                .substring(name.length() + 1).trim();
    }
}
