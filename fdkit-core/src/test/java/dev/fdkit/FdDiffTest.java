package dev.fdkit;

import dev.fdkit.internal.FdCalls;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Diffs of real listings name what appeared with its kind and socket details; tables filter and count. */
class FdDiffTest {
    @Test
    void diffNamesOpenedSocketAndPipeAndClosedOnes() throws Exception {
        int[] err = new int[1];
        int[] early = FdCalls.pipe2(FdCalls.O_CLOEXEC, err);
        FdTable before = Fds.list();
        int[] p;
        int port;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            p = FdCalls.pipe2(FdCalls.O_CLOEXEC, err);
            FdCalls.close(early[0]);
            FdDiff d = before.diff(Fds.list());
            // Other JVM threads may open or close things meanwhile: assert on ours only.
            assertTrue(d.opened().stream().anyMatch(i -> i.kind() == FdKind.TCP
                    && i.name().equals("127.0.0.1:" + port + " LISTEN")), d.toString());
            assertTrue(d.appeared().stream().anyMatch(i -> i.fd() == p[0] && i.kind() == FdKind.PIPE), d.toString());
            assertTrue(d.closed().stream().anyMatch(i -> i.fd() == early[0]), d.toString());
            assertTrue(d.toString().contains("+ fd " + p[1] + ": pipe pipe:["), d.toString());
            assertTrue(d.toString().contains("- fd " + early[0] + ": pipe pipe:["), d.toString());
            assertTrue(d.toString().contains(": tcp 127.0.0.1:" + port + " LISTEN"), d.toString());
        } finally {
            FdCalls.close(early[1]);
        }
        FdCalls.close(p[0]);
        FdCalls.close(p[1]);
    }

    @Test
    void filterAndCountByKind() throws Exception {
        int[] err = new int[1];
        int[] p = FdCalls.pipe2(FdCalls.O_CLOEXEC, err);
        try {
            FdTable t = Fds.list();
            FdTable pipes = t.filter(i -> i.kind() == FdKind.PIPE);
            assertTrue(pipes.get(p[0]).isPresent() && pipes.get(p[1]).isPresent());
            assertTrue(pipes.all().stream().allMatch(i -> i.kind() == FdKind.PIPE));
            assertEquals(pipes.size(), t.countByKind().get(FdKind.PIPE));
            assertEquals(t.size(), t.countByKind().values().stream().mapToInt(Integer::intValue).sum());
            assertTrue(t.get(-1).isEmpty());
        } finally {
            FdCalls.close(p[0]);
            FdCalls.close(p[1]);
        }
    }
}
