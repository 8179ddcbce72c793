package dev.fdkit;

import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.NetCalls;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How long a detailed listing of a big table takes. Not a unit test: run it in its own JVM,
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp fdkit-core/target/classes:fdkit-core/target/test-classes \
 *     dev.fdkit.ListPerf [TOTAL] [REPS]
 * </pre>
 * It opens TOTAL descriptors (default 16,000): a quarter each of regular files, pipe ends, unix socketpair ends
 * and TCP sockets (connected pairs on 127.0.0.1), then times {@code Fds.list()} (this process: the descriptors
 * answer fcntl/lseek/statx) and {@code Fds.list(pid)} of a second JVM holding as many (fdinfo is read per
 * descriptor). Both include resolving every socket through /proc/PID/net.
 */
public final class ListPerf {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("hold")) {
            List<AutoCloseable> keep = open(Integer.parseInt(args[1]));
            System.out.println("ready");
            System.out.flush();
            System.in.read(); // until the parent closes our stdin
            for (AutoCloseable c : keep) c.close();
            return;
        }
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 16_000;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<AutoCloseable> keep = open(total);

        long t0 = System.nanoTime();
        FdTable first = Fds.list();
        long cold = System.nanoTime() - t0;
        System.out.printf("this JVM: %d descriptors listed: %s%n", first.size(), kinds(first));
        System.out.printf("first Fds.list() in this JVM (class loading, FFM linking included): %.1f ms%n", cold / 1e6);
        double[] own = time(reps, Fds::list);
        System.out.printf("Fds.list()      over %d reps: median %.1f ms, min %.1f ms, max %.1f ms%n",
                reps, own[0], own[1], own[2]);

        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                ListPerf.class.getName(), "hold", Integer.toString(total))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String ready = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream())).readLine();
            if (!"ready".equals(ready)) throw new IllegalStateException("child said " + ready);
            FdTable other = Fds.list(child.pid());
            System.out.printf("other JVM (pid %d): %d descriptors listed: %s%n", child.pid(), other.size(),
                    kinds(other));
            double[] byPid = time(reps, () -> Fds.list(child.pid()));
            System.out.printf("Fds.list(pid)   over %d reps: median %.1f ms, min %.1f ms, max %.1f ms%n",
                    reps, byPid[0], byPid[1], byPid[2]);
        } finally {
            child.getOutputStream().close();
            child.waitFor();
        }
        for (AutoCloseable c : keep) c.close();
    }

    private static Map<FdKind, Integer> kinds(FdTable t) {
        Map<FdKind, Integer> kinds = new EnumMap<>(FdKind.class);
        for (FdInfo f : t) kinds.merge(f.kind(), 1, Integer::sum);
        return kinds;
    }

    /** Opens about {@code total} descriptors, a quarter of each kind; returns what must be closed at the end. */
    private static List<AutoCloseable> open(int total) throws Exception {
        int quarter = total / 4;
        Path file = Files.createTempFile("fdkit-listperf", ".dat");
        List<AutoCloseable> keep = new ArrayList<>();
        int[] err = new int[1];
        for (int i = 0; i < quarter; i++) {
            int fd = FdCalls.open(file.toString(), FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
            if (fd < 0) throw new ErrnoException("open " + file, -fd);
        }
        for (int i = 0; i < quarter / 2; i++) {
            if (FdCalls.pipe2(FdCalls.O_CLOEXEC, err) == null) throw new ErrnoException("pipe2", err[0]);
            if (NetCalls.socketpair(NetCalls.AF_UNIX, NetCalls.SOCK_STREAM | NetCalls.SOCK_CLOEXEC, 0, err) == null) {
                throw new ErrnoException("socketpair", err[0]);
            }
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), quarter);
        keep.add(server);
        for (int i = 0; i < quarter / 2; i++) {
            keep.add(SocketChannel.open(server.getLocalAddress()));
            keep.add(server.accept());
        }
        Files.delete(file);
        return keep;
    }

    interface Listing {
        FdTable run() throws Exception;
    }

    private static double[] time(int reps, Listing l) throws Exception {
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            FdTable table = l.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
            if (table.size() == 0) throw new AssertionError("empty listing");
        }
        Arrays.sort(ms);
        return new double[] {ms[reps / 2], ms[0], ms[reps - 1]};
    }
}
