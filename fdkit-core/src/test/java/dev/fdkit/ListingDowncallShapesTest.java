package dev.fdkit;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Listing another process links one FFM downcall shape: the JDK generates a class for every distinct shape at its
 * first link, which the AOT cache cannot keep, so each shape on this path is start-up time of every
 * {@code fdkit ls}. Counted in a fresh JVM, from its class-loading log.
 */
class ListingDowncallShapesTest {
    /** Child-JVM entry: lists the process PID once. */
    public static final class ListOnce {
        private ListOnce() {}

        public static void main(String[] args) throws ErrnoException {
            System.out.println("listed " + Fds.list(Long.parseLong(args[0])).size());
        }
    }

    @Test
    void listingAnotherProcessLinksOneDowncallShape() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            assertListingLinksOneShape(sleeper.pid());
        } finally {
            sleeper.destroy();
            sleeper.waitFor();
        }
    }

    /** Sockets are resolved through a sock_diag netlink socket: opening it links no shape of its own either. */
    @Test
    void listingAProcessWithSocketsLinksOneDowncallShape() throws Exception {
        try (ServerSocketChannel tcp = ServerSocketChannel.open(StandardProtocolFamily.INET);
             SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertListingLinksOneShape(ProcessHandle.current().pid());
        }
    }

    /** Lists {@code pid} in a fresh JVM and asserts that the listing, sockets resolved, linked one shape. */
    private static void assertListingLinksOneShape(long pid) throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("-Xlog:class+load=info:stdout"), ListOnce.class, Long.toString(pid));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("listed ")), r.out());
        List<String> stubs = r.lines().stream().filter(l -> l.contains("jdk.internal.foreign.abi.DowncallStub")).toList();
        assertEquals(1, stubs.size(), "downcall shapes linked: " + stubs);
    }
}
