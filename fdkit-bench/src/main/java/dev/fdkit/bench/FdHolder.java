package dev.fdkit.bench;

import dev.fdkit.ErrnoException;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.NetCalls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The process the listing bench lists: a JVM that opens N descriptors, a quarter each of regular files, pipe ends,
 * unix socketpair ends and connected TCP sockets on 127.0.0.1 (so every listing pays for its socket lookups), says
 * "ready" and holds them until its stdin closes.
 */
public final class FdHolder {
    private FdHolder() {}

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        List<AutoCloseable> keep = open(n);
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the bench closes our stdin
        }
        for (AutoCloseable c : keep) c.close();
    }

    private static List<AutoCloseable> open(int n) throws IOException {
        int quarter = n / 4;
        List<AutoCloseable> keep = new ArrayList<>();
        Path file = Files.createTempFile("fdkit-bench-holder", ".dat");
        int[] err = new int[1];
        try {
            for (int i = 0; i < n - 3 * quarter; i++) {
                int fd = FdCalls.open(file.toString(), FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
                if (fd < 0) throw new ErrnoException("open " + file, -fd);
            }
        } finally {
            Files.delete(file);
        }
        for (int i = 0; i < quarter / 2; i++) {
            if (FdCalls.pipe2(FdCalls.O_CLOEXEC, err) == null) throw new ErrnoException("pipe2", err[0]);
            if (NetCalls.socketpair(NetCalls.AF_UNIX, NetCalls.SOCK_STREAM | NetCalls.SOCK_CLOEXEC, 0, err) == null) {
                throw new ErrnoException("socketpair", err[0]);
            }
        }
        if (quarter > 0) {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), quarter);
            keep.add(server);
            for (int i = 0; i < quarter / 2; i++) {
                keep.add(SocketChannel.open(server.getLocalAddress()));
                keep.add(server.accept());
            }
        }
        return keep;
    }
}
