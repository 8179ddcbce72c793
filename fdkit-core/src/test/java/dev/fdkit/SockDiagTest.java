package dev.fdkit;

import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.NetCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sock_diag and the text tables of /proc/PID/net describe the same sockets the same way: this JVM opens unix,
 * TCP and UDP sockets of each family in several states and names, and both ways must resolve every one of them to
 * equal kinds and {@link SocketInfo}s. A name the text cannot carry (a newline) comes exact from sock_diag.
 */
class SockDiagTest {
    @TempDir
    static Path dir;

    static final List<AutoCloseable> OPEN = new ArrayList<>();
    static final List<Integer> RAW = new ArrayList<>();
    static int abstractFd, newlineFd;

    @BeforeAll
    static void openSockets() throws IOException {
        ServerSocketChannel unixServer = keep(ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(dir.resolve("a b.sock"))));
        keep(SocketChannel.open(unixServer.getLocalAddress()));
        keep(unixServer.accept());
        keep(SocketChannel.open(StandardProtocolFamily.UNIX)); // unbound, unconnected
        RAW.add(KindBindings.socket(NetCalls.AF_UNIX, NetCalls.SOCK_DGRAM | NetCalls.SOCK_CLOEXEC, 0));
        int[] err = new int[1];
        int[] pair = NetCalls.socketpair(NetCalls.AF_UNIX, NetCalls.SOCK_DGRAM | NetCalls.SOCK_CLOEXEC, 0, err);
        RAW.add(pair[0]);
        RAW.add(pair[1]);
        abstractFd = unixSocket();
        assertEquals(0, KindBindings.bindUnix(abstractFd, "\0fdkit-diag\0x".getBytes(StandardCharsets.US_ASCII)));
        newlineFd = unixSocket();
        byte[] path = (dir.resolve("new\nline.sock") + "\0").getBytes(StandardCharsets.UTF_8);
        assertEquals(0, KindBindings.bindUnix(newlineFd, path));

        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        ServerSocketChannel tcp = keep(ServerSocketChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(v4, 0)));
        keep(SocketChannel.open(tcp.getLocalAddress()));
        keep(tcp.accept());
        DatagramSocket udp = keep(new DatagramSocket(new InetSocketAddress(v4, 0)));
        DatagramChannel connected = keep(DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(v4, 0)));
        connected.connect(udp.getLocalSocketAddress());
        try {
            InetAddress v6 = InetAddress.getByName("::1");
            ServerSocketChannel tcp6 = keep(ServerSocketChannel.open(StandardProtocolFamily.INET6)
                    .bind(new InetSocketAddress(v6, 0)));
            keep(SocketChannel.open(tcp6.getLocalAddress()));
            keep(tcp6.accept());
            keep(DatagramChannel.open(StandardProtocolFamily.INET6).bind(new InetSocketAddress(v6, 0)));
            // A dual-stack socket reached over IPv4: IPv4-mapped addresses.
            ServerSocketChannel dual = keep(ServerSocketChannel.open(StandardProtocolFamily.INET6)
                    .bind(new InetSocketAddress(0)));
            keep(SocketChannel.open(new InetSocketAddress(v4, ((InetSocketAddress) dual.getLocalAddress()).getPort())));
            keep(dual.accept());
        } catch (IOException e) {
            // no IPv6 on this host: the IPv4 and unix sockets still compare
        }
    }

    private static int unixSocket() {
        int fd = KindBindings.socket(NetCalls.AF_UNIX, NetCalls.SOCK_STREAM | NetCalls.SOCK_CLOEXEC, 0);
        assertTrue(fd >= 0, "socket: " + fd);
        RAW.add(fd);
        return fd;
    }

    private static <T extends AutoCloseable> T keep(T c) {
        OPEN.add(c);
        return c;
    }

    @AfterAll
    static void closeSockets() throws Exception {
        for (AutoCloseable c : OPEN) c.close();
        for (int fd : RAW) FdCalls.close(fd);
    }

    private static long[] socketInodes(FdTable t, int... except) {
        return t.all().stream().filter(f -> f.kind().isSocket() || f.target().startsWith("socket:"))
                .filter(f -> Arrays.stream(except).noneMatch(e -> e == f.fd()))
                .mapToLong(FdInfo::inode).sorted().distinct().toArray();
    }

    @Test
    void sockDiagAndTheTextTablesAgree() throws Exception {
        long pid = ProcessHandle.current().pid();
        long[] inodes = socketInodes(Fds.list(), newlineFd);
        assertTrue(inodes.length >= 12, "sockets opened: " + inodes.length);
        Map<Long, ProcNet.Resolved> diag = ProcNet.resolve(pid, inodes, true);
        Map<Long, ProcNet.Resolved> text = ProcNet.resolve(pid, inodes, false);
        assertEquals(text, diag);
        assertEquals(inodes.length, diag.size(), "every socket resolved: " + diag);
    }

    /** From 1,024 sockets on the unix dump runs on another thread while the inet dumps run: still the same. */
    @Test
    void manySocketsResolveAlikeBothWays() throws Exception {
        List<SocketChannel> extra = new ArrayList<>();
        try {
            for (int i = 0; i < 1100; i++) extra.add(SocketChannel.open(StandardProtocolFamily.UNIX));
            long pid = ProcessHandle.current().pid();
            long[] inodes = socketInodes(Fds.list(), newlineFd);
            assertTrue(inodes.length > 1100, "sockets opened: " + inodes.length);
            Map<Long, ProcNet.Resolved> diag = ProcNet.resolve(pid, inodes, true);
            assertEquals(ProcNet.resolve(pid, inodes, false), diag);
            assertEquals(inodes.length, diag.size(), "every socket resolved");
        } finally {
            for (SocketChannel c : extra) c.close();
        }
    }

    @Test
    void theDumpsAnswerThemselves() throws Exception {
        long[] inodes = socketInodes(Fds.list());
        for (ProcNet.Table t : new ProcNet.Table[] {ProcNet.Table.UNIX, ProcNet.Table.TCP, ProcNet.Table.UDP}) {
            Map<Long, ProcNet.Resolved> found = new HashMap<>();
            assertEquals(0, ProcNet.dump(t, inodes, found), t + " dump");
            assertTrue(found.values().stream().allMatch(r -> r.kind() == t.kind), found.toString());
            assertTrue(!found.isEmpty(), t + " found none of this JVM's sockets");
        }
        assertTrue(ProcNet.sharesNetNamespace(ProcessHandle.current().pid()));
    }

    @Test
    void namesAreExact() throws Exception {
        FdTable t = Fds.list();
        SocketInfo abstractName = t.get(abstractFd).orElseThrow().socket();
        assertEquals("@fdkit-diag@x", abstractName.localAddress());
        SocketInfo newline = t.get(newlineFd).orElseThrow().socket();
        assertEquals(dir.resolve("new\nline.sock").toString(), newline.localAddress());
        assertEquals("UNCONNECTED", newline.state());
    }
}
