package dev.fdkit;

import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.NetCalls;
import dev.fdkit.internal.ProcessCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every descriptor kind this machine lets a test create, created for real and found again in {@code Fds.list()}
 * with its kind, name and details. Each test closes only what it opened.
 */
class FdKindsTest {
    @TempDir
    Path dir;

    private final List<Integer> rawFds = new ArrayList<>();
    private final List<AutoCloseable> channels = new ArrayList<>();

    @AfterEach
    void closeWhatWeOpened() throws Exception {
        for (int fd : rawFds) FdCalls.close(fd);
        for (AutoCloseable c : channels) c.close();
    }

    /** Keeps {@code fd} for cleanup after checking that the call gave one. */
    private int own(String what, int fd) {
        assertTrue(fd >= 0, what + " failed: " + (fd < 0 ? dev.fdkit.internal.Errno.describe(-fd) : ""));
        rawFds.add(fd);
        return fd;
    }

    private <T extends AutoCloseable> T own(T channel) {
        channels.add(channel);
        return channel;
    }

    private static FdInfo at(int fd) throws ErrnoException {
        return Fds.list().get(fd).orElseThrow(() -> new AssertionError("fd " + fd + " not listed"));
    }

    /** The one listed descriptor matching {@code p}. */
    private static FdInfo find(FdTable t, Predicate<FdInfo> p, String what) {
        List<FdInfo> hits = t.all().stream().filter(p).toList();
        assertEquals(1, hits.size(), what + ": " + hits + " in\n" + t);
        return hits.getFirst();
    }

    @Test
    void regularFileWithPositionFlagsAndInode() throws Exception {
        Path f = Files.writeString(dir.resolve("data.txt"), "0123456789");
        int fd = own("open", FdCalls.open(f.toString(), FdCalls.O_RDWR | FdCalls.O_APPEND, 0));
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            assertEquals(4, FdCalls.read(fd, arena.allocate(4), 4));
        }
        FdInfo i = at(fd);
        assertEquals(FdKind.FILE, i.kind());
        assertEquals(f.toString(), i.target());
        assertEquals(f.toString(), i.name());
        assertEquals(AccessMode.READ_WRITE, i.access());
        assertFalse(i.closeOnExec());
        assertTrue((i.openFlags() & FdCalls.O_APPEND) != 0, "O_APPEND in " + Integer.toOctalString(i.openFlags()));
        assertEquals(4, i.position());
        assertEquals(Files.getAttribute(f, "unix:ino"), i.inode());
        assertTrue(i.mountId() > 0, "mount id " + i.mountId());
        assertFalse(i.deleted());
        assertNull(i.socket());
        assertEquals("fd " + fd + ": file " + f, i.toString());
    }

    @Test
    void deletedFile() throws Exception {
        Path f = Files.writeString(dir.resolve("gone.txt"), "x");
        int fd = own("open", FdCalls.open(f.toString(), FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0));
        Files.delete(f);
        FdInfo i = at(fd);
        assertEquals(FdKind.FILE, i.kind());
        assertTrue(i.deleted());
        assertEquals(f + " (deleted)", i.target());
        assertTrue(i.closeOnExec());
        assertEquals(AccessMode.READ, i.access());
    }

    @Test
    void directoryAndOpathFileAndSymlinkAndNamespace() throws Exception {
        int d = own("open dir", FdCalls.open(dir.toString(), FdCalls.O_RDONLY | FdCalls.O_DIRECTORY, 0));
        Path file = Files.writeString(dir.resolve("f"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("l"), file);
        int path = own("open O_PATH", FdCalls.open(file.toString(), FdCalls.O_PATH, 0));
        int sym = own("open symlink", FdCalls.open(link.toString(), FdCalls.O_PATH | FdCalls.O_NOFOLLOW, 0));
        int ns = own("open ns", FdCalls.open("/proc/self/ns/net", FdCalls.O_RDONLY, 0));
        FdTable t = Fds.list();
        assertEquals(FdKind.DIRECTORY, t.get(d).orElseThrow().kind());
        assertEquals(FdKind.FILE, t.get(path).orElseThrow().kind());
        assertEquals(AccessMode.PATH, t.get(path).orElseThrow().access());
        assertEquals(FdKind.SYMLINK, t.get(sym).orElseThrow().kind());
        assertEquals(link.toString(), t.get(sym).orElseThrow().target());
        FdInfo n = t.get(ns).orElseThrow();
        assertEquals(FdKind.NAMESPACE, n.kind());
        assertTrue(n.target().startsWith("net:["), n.target());
    }

    @Test
    void pipeEndsShareTheirInode() throws Exception {
        int[] err = new int[1];
        int[] p = FdCalls.pipe2(FdCalls.O_CLOEXEC, err);
        assertNotNull(p, "pipe2");
        own("pipe r", p[0]);
        own("pipe w", p[1]);
        FdTable t = Fds.list();
        FdInfo r = t.get(p[0]).orElseThrow(), w = t.get(p[1]).orElseThrow();
        assertEquals(FdKind.PIPE, r.kind());
        assertEquals(FdKind.PIPE, w.kind());
        assertEquals(AccessMode.READ, r.access());
        assertEquals(AccessMode.WRITE, w.access());
        assertEquals(r.inode(), w.inode());
        assertEquals("pipe:[" + r.inode() + "]", r.target());
    }

    @Test
    void fifoAndCharacterDevice() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, KindBindings.mkfifo(fifo.toString(), 0600));
        int f = own("open fifo", FdCalls.open(fifo.toString(), FdCalls.O_RDWR | FdCalls.O_NONBLOCK, 0));
        int c = own("open /dev/null", FdCalls.open("/dev/null", FdCalls.O_WRONLY, 0));
        FdTable t = Fds.list();
        assertEquals(FdKind.FIFO, t.get(f).orElseThrow().kind());
        assertEquals(fifo.toString(), t.get(f).orElseThrow().target());
        assertEquals(FdKind.CHAR_DEVICE, t.get(c).orElseThrow().kind());
        assertEquals(AccessMode.WRITE, t.get(c).orElseThrow().access());
    }

    @Test
    void blockDevice() throws Exception {
        String dev = Files.exists(Path.of("/dev/loop0")) ? "/dev/loop0" : "/dev/vda";
        int fd = FdCalls.open(dev, FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
        assumeTrue(fd >= 0, "cannot open a block device here (" + dev + ")");
        own("open " + dev, fd);
        assertEquals(FdKind.BLOCK_DEVICE, at(fd).kind());
    }

    @Test
    void unixSocketsWithPathAndState() throws Exception {
        Path sock = dir.resolve("app.sock");
        ServerSocketChannel server = own(ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(sock)));
        SocketChannel client = own(SocketChannel.open(UnixDomainSocketAddress.of(sock)));
        SocketChannel accepted = own(server.accept());
        int[] err = new int[1];
        int[] pair = NetCalls.socketpair(NetCalls.AF_UNIX, NetCalls.SOCK_DGRAM | NetCalls.SOCK_CLOEXEC, 0, err);
        assertNotNull(pair);
        own("pair", pair[0]);
        own("pair", pair[1]);
        FdTable t = Fds.list();
        FdInfo listening = find(t, i -> i.kind() == FdKind.UNIX && "LISTEN".equals(i.socket().state())
                && sock.toString().equals(i.socket().localAddress()), "listening unix socket");
        assertEquals(sock + " stream LISTEN", listening.name());
        // The accepted end carries the server's path; the client's end is unnamed.
        find(t, i -> i.kind() == FdKind.UNIX && "CONNECTED".equals(i.socket().state())
                && sock.toString().equals(i.socket().localAddress()), "accepted unix socket");
        FdInfo dgram = t.get(pair[0]).orElseThrow();
        assertEquals(FdKind.UNIX, dgram.kind());
        assertEquals("dgram", dgram.socket().type());
        assertEquals("unnamed dgram CONNECTED", dgram.name());
        assertTrue(client.isConnected() && accepted.isConnected());
    }

    @Test
    void tcpListeningAndEstablishedPairOnLoopback() throws Exception {
        ServerSocketChannel server = own(ServerSocketChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0)));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        SocketChannel client = own(SocketChannel.open(StandardProtocolFamily.INET));
        client.connect(server.getLocalAddress());
        own(server.accept());
        int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
        FdTable t = Fds.list();
        FdInfo l = find(t, i -> i.kind() == FdKind.TCP && i.socket().localPort() == port
                && "LISTEN".equals(i.socket().state()), "listener");
        assertEquals("127.0.0.1:" + port + " LISTEN", l.name());
        assertNull(l.socket().remote());
        FdInfo c = find(t, i -> i.kind() == FdKind.TCP && i.socket().localPort() == clientPort, "client");
        assertEquals("127.0.0.1:" + clientPort + " -> 127.0.0.1:" + port + " ESTABLISHED", c.name());
        assertEquals("fd " + c.fd() + ": tcp 127.0.0.1:" + clientPort + " -> 127.0.0.1:" + port + " ESTABLISHED",
                c.toString());
        FdInfo a = find(t, i -> i.kind() == FdKind.TCP && i.socket().localPort() == port
                && "ESTABLISHED".equals(i.socket().state()), "accepted");
        assertEquals(clientPort, a.socket().remotePort());
        assertEquals("127.0.0.1", a.socket().remoteAddress());
        assertEquals(c.socket().protocol(), "tcp");
    }

    @Test
    void tcp6OnIpv6LoopbackAndIpv4MappedDualStackSockets() throws Exception {
        ServerSocketChannel v6 = ServerSocketChannel.open(StandardProtocolFamily.INET6);
        own(v6);
        try {
            v6.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
        } catch (java.io.IOException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e);
        }
        int port6 = ((InetSocketAddress) v6.getLocalAddress()).getPort();
        // The JDK's default sockets are AF_INET6; to 127.0.0.1 they carry IPv4-mapped addresses.
        ServerSocketChannel dual = own(ServerSocketChannel.open().bind(new InetSocketAddress(
                InetAddress.getByName("127.0.0.1"), 0)));
        int portDual = ((InetSocketAddress) dual.getLocalAddress()).getPort();
        SocketChannel client = own(SocketChannel.open(new InetSocketAddress("127.0.0.1", portDual)));
        int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
        FdTable t = Fds.list();
        FdInfo l = find(t, i -> i.kind() == FdKind.TCP6 && i.socket().localPort() == port6, "v6 listener");
        assertEquals("[::1]:" + port6 + " LISTEN", l.name());
        FdInfo c = find(t, i -> i.kind() == FdKind.TCP6 && i.socket().localPort() == clientPort, "dual-stack client");
        assertEquals("127.0.0.1:" + clientPort + " -> 127.0.0.1:" + portDual + " ESTABLISHED", c.name());
    }

    @Test
    void udpAndUdp6() throws Exception {
        DatagramChannel u = own(DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0)));
        int port = ((InetSocketAddress) u.getLocalAddress()).getPort();
        DatagramChannel connected = own(DatagramChannel.open(StandardProtocolFamily.INET));
        connected.connect(u.getLocalAddress());
        int cport = ((InetSocketAddress) connected.getLocalAddress()).getPort();
        DatagramChannel u6 = own(DatagramChannel.open(StandardProtocolFamily.INET6)
                .bind(new InetSocketAddress(InetAddress.getByName("::"), 0)));
        int port6 = ((InetSocketAddress) u6.getLocalAddress()).getPort();
        FdTable t = Fds.list();
        FdInfo a = find(t, i -> i.kind() == FdKind.UDP && i.socket().localPort() == port, "udp");
        assertEquals("127.0.0.1:" + port + " UNCONN", a.name());
        FdInfo c = find(t, i -> i.kind() == FdKind.UDP && i.socket().localPort() == cport, "connected udp");
        assertEquals("127.0.0.1:" + cport + " -> 127.0.0.1:" + port + " ESTABLISHED", c.name());
        FdInfo b = find(t, i -> i.kind() == FdKind.UDP6 && i.socket().localPort() == port6, "udp6");
        assertEquals("[::]:" + port6 + " UNCONN", b.name());
    }

    @Test
    void netlinkSocketNotYetBoundIsNamedBySockfs() throws Exception {
        // /proc/PID/net/netlink lists a netlink socket only once bound; until then sockfs names its protocol.
        int fd = own("socket(AF_NETLINK)",
                KindBindings.socket(KindBindings.AF_NETLINK, KindBindings.SOCK_RAW | NetCalls.SOCK_CLOEXEC, KindBindings.NETLINK_ROUTE));
        FdInfo i = at(fd);
        assertEquals(FdKind.NETLINK, i.kind());
        assertNull(i.socket());
        assertEquals("protocol NETLINK", i.detail());
        assertEquals("socket:[" + i.inode() + "] (protocol NETLINK)", i.name());
    }

    @Test
    void packetAndRawSocketsWhereAllowed() throws Exception {
        int packet = KindBindings.socket(KindBindings.AF_PACKET, KindBindings.SOCK_RAW | NetCalls.SOCK_CLOEXEC, KindBindings.ETH_P_ALL_BE);
        int raw = KindBindings.socket(KindBindings.AF_INET, KindBindings.SOCK_RAW | NetCalls.SOCK_CLOEXEC, KindBindings.IPPROTO_ICMP);
        if (packet >= 0) own("packet", packet);
        if (raw >= 0) own("raw", raw);
        assumeTrue(packet >= 0 && raw >= 0, "packet and raw sockets need CAP_NET_RAW");
        FdTable t = Fds.list();
        FdInfo p = t.get(packet).orElseThrow();
        assertEquals(FdKind.PACKET, p.kind());
        assertEquals("raw ETH_P_ALL any interface", p.name());
        FdInfo r = t.get(raw).orElseThrow();
        assertEquals(FdKind.RAW, r.kind());
        assertEquals("0.0.0.0 protocol 1 UNCONN", r.name());
    }

    @Test
    void anonInodesWithDetails() throws Exception {
        int ev = own("eventfd", KindBindings.eventfd(0, FdCalls.O_CLOEXEC));
        int ep = own("epoll_create1", NetCalls.epollCreate1(FdCalls.O_CLOEXEC));
        assertEquals(0, NetCalls.epollCtl(ep, NetCalls.EPOLL_CTL_ADD, ev, NetCalls.EPOLLIN, 0));
        int tfd = own("timerfd_create", KindBindings.timerfdCreate(KindBindings.CLOCK_MONOTONIC, FdCalls.O_CLOEXEC));
        assertEquals(0, NetCalls.epollCtl(ep, NetCalls.EPOLL_CTL_ADD, tfd, NetCalls.EPOLLIN, 0));
        int in = own("inotify_init1", KindBindings.inotifyInit1(FdCalls.O_CLOEXEC));
        assertTrue(KindBindings.inotifyAddWatch(in, dir.toString(), KindBindings.IN_CREATE) > 0);
        int sig = own("signalfd", KindBindings.signalfdEmpty(FdCalls.O_CLOEXEC));
        int pid = ProcessCalls.getpid();
        int pidfd = own("pidfd_open", ProcessCalls.pidfdOpen(pid, 0));
        int mem = own("memfd_create", KindBindings.memfdCreate("fdkit-test", KindBindings.MFD_CLOEXEC));
        FdTable t = Fds.list();
        assertEquals(FdKind.EVENTFD, t.get(ev).orElseThrow().kind());
        FdInfo e = t.get(ep).orElseThrow();
        assertEquals(FdKind.EVENTPOLL, e.kind());
        assertEquals("2 fds", e.detail());
        assertEquals("anon_inode:[eventpoll] (2 fds)", e.name());
        assertEquals(FdKind.TIMERFD, t.get(tfd).orElseThrow().kind());
        FdInfo i = t.get(in).orElseThrow();
        assertEquals(FdKind.INOTIFY, i.kind());
        assertEquals("1 watch", i.detail());
        assertEquals(FdKind.SIGNALFD, t.get(sig).orElseThrow().kind());
        FdInfo p = t.get(pidfd).orElseThrow();
        assertEquals(FdKind.PIDFD, p.kind());
        assertEquals("pid " + pid, p.detail());
        FdInfo m = t.get(mem).orElseThrow();
        assertEquals(FdKind.MEMFD, m.kind());
        assertEquals("/memfd:fdkit-test (deleted)", m.target());
        assertTrue(m.closeOnExec());
        assertTrue(t.get(ev).orElseThrow().kind().isAnonInode());
    }

    @Test
    void privilegedAnonInodesWhereAllowed() throws Exception {
        int uffd = KindBindings.userfaultfd(FdCalls.O_CLOEXEC);
        int ring = KindBindings.ioUringSetup(4);
        int fan = KindBindings.fanotifyInit(KindBindings.FAN_CLOEXEC | KindBindings.FAN_CLASS_NOTIF, FdCalls.O_RDONLY);
        if (uffd >= 0) own("userfaultfd", uffd);
        if (ring >= 0) own("io_uring_setup", ring);
        if (fan >= 0) own("fanotify_init", fan);
        assumeTrue(uffd >= 0 || ring >= 0 || fan >= 0, "userfaultfd, io_uring and fanotify all refused here");
        FdTable t = Fds.list();
        if (uffd >= 0) assertEquals(FdKind.USERFAULTFD, t.get(uffd).orElseThrow().kind());
        if (ring >= 0) assertEquals(FdKind.IO_URING, t.get(ring).orElseThrow().kind());
        if (fan >= 0) assertEquals(FdKind.FANOTIFY, t.get(fan).orElseThrow().kind());
    }

    @Test
    void ownListingAgreesWithTheProcfsPathAnotherProcessGets() throws Exception {
        // This process answers from the descriptors themselves; other processes from fdinfo. Both must agree.
        Path f = Files.writeString(dir.resolve("same.txt"), "abcdef");
        int fd = own("open", FdCalls.open(f.toString(), FdCalls.O_RDONLY, 0));
        FdCalls.lseek(fd, 3, FdCalls.SEEK_SET);
        int[] err = new int[1];
        int[] p = FdCalls.pipe2(FdCalls.O_CLOEXEC | FdCalls.O_NONBLOCK, err);
        own("pipe", p[0]);
        own("pipe", p[1]);
        int ev = own("eventfd", KindBindings.eventfd(0, 0));
        FdTable own = Fds.list();
        for (int n : new int[] {fd, p[0], p[1], ev}) {
            FdInfo a = own.get(n).orElseThrow();
            byte[] info = procFdinfo(n);
            FdInfo b = ProcLister.describe(fdDir(), n, a.target(), info, info.length, new long[2]);
            assertEquals(b, a, "fd " + n);
        }
    }

    private int fdDirFd = -1;

    private int fdDir() {
        if (fdDirFd < 0) {
            fdDirFd = own("open /proc/self/fd", FdCalls.open("/proc/self/fd", FdCalls.O_RDONLY | FdCalls.O_DIRECTORY, 0));
        }
        return fdDirFd;
    }

    private static byte[] procFdinfo(int fd) throws Exception {
        return Files.readAllBytes(Path.of("/proc/self/fdinfo/" + fd));
    }
}
