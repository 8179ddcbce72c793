package dev.fdkit;

import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.NetCalls;
import dev.fdkit.internal.ProcessCalls;

import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM holding one descriptor of each kind fdkit names, and files with hostile names, for the tests that
 * list it from outside. Argument: a scratch directory. Prints "fd KEY N" for each descriptor it opened (and "skip
 * KEY errno" for each the kernel refused), then "ready", and holds everything until its stdin closes.
 */
public final class DescriptorZoo {
    private DescriptorZoo() {}

    private static final List<Object> KEEP = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path plain = Files.writeString(dir.resolve("plain.txt"), "0123456789");
        int f = say("file", FdCalls.open(plain.toString(), FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0));
        FdCalls.lseek(f, 3, FdCalls.SEEK_SET);
        // A file named like a deleted one, which is not deleted; and one which is.
        say("weird", FdCalls.open(Files.writeString(dir.resolve("weird (deleted)"), "x").toString(),
                FdCalls.O_RDONLY, 0));
        Path gone = Files.writeString(dir.resolve("gone.txt"), "x");
        say("deleted", FdCalls.open(gone.toString(), FdCalls.O_RDWR | FdCalls.O_APPEND, 0));
        Files.delete(gone);
        say("newline", FdCalls.open(Files.writeString(dir.resolve("new\nline"), "x").toString(), FdCalls.O_RDONLY, 0));
        say("dir", FdCalls.open(dir.toString(), FdCalls.O_RDONLY | FdCalls.O_DIRECTORY, 0));
        say("opath", FdCalls.open(plain.toString(), FdCalls.O_PATH, 0));
        int[] err = new int[1];
        int[] pipe = FdCalls.pipe2(0, err);
        say("pipe-read", pipe[0]);
        say("pipe-write", pipe[1]);
        Path fifo = dir.resolve("fifo");
        KindBindings.mkfifo(fifo.toString(), 0600);
        say("fifo", FdCalls.open(fifo.toString(), FdCalls.O_RDWR, 0));
        say("chr", FdCalls.open("/dev/null", FdCalls.O_WRONLY, 0));
        int[] pair = NetCalls.socketpair(NetCalls.AF_UNIX, NetCalls.SOCK_STREAM, 0, err);
        say("unix-pair", pair[0]);
        say("unix-pair-peer", pair[1]);
        ServerSocketChannel unixServer = keep(ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(dir.resolve("app.sock"))));
        fact("unix-listen-path", dir.resolve("app.sock").toString());
        ServerSocketChannel tcp = keep(ServerSocketChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        SocketChannel client = keep(SocketChannel.open(tcp.getLocalAddress()));
        keep(tcp.accept());
        fact("tcp-port", Integer.toString(((InetSocketAddress) tcp.getLocalAddress()).getPort()));
        keep(ServerSocketChannel.open(StandardProtocolFamily.INET6).bind(new InetSocketAddress("::1", 0)));
        keep(DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        keep(DatagramChannel.open(StandardProtocolFamily.INET6).bind(new InetSocketAddress("::1", 0)));
        say("udplite", KindBindings.socket(KindBindings.AF_INET, NetCalls.SOCK_DGRAM, 136)); // IPPROTO_UDPLITE
        say("udplite6", KindBindings.socket(KindBindings.AF_INET6, NetCalls.SOCK_DGRAM, 136));
        say("icmp", KindBindings.socket(KindBindings.AF_INET, NetCalls.SOCK_DGRAM, KindBindings.IPPROTO_ICMP));
        say("netlink", KindBindings.socket(KindBindings.AF_NETLINK, KindBindings.SOCK_RAW, KindBindings.NETLINK_ROUTE));
        int ev = say("eventfd", KindBindings.eventfd(0, 0));
        int tfd = say("timerfd", KindBindings.timerfdCreate(KindBindings.CLOCK_MONOTONIC, 0));
        KindBindings.timerfdSettime(tfd, 1, 500_000_000, 100, 0);
        int ep = say("epoll", NetCalls.epollCreate1(0));
        NetCalls.epollCtl(ep, NetCalls.EPOLL_CTL_ADD, ev, NetCalls.EPOLLIN, 0);
        NetCalls.epollCtl(ep, NetCalls.EPOLL_CTL_ADD, tfd, NetCalls.EPOLLIN, 0);
        say("signalfd", KindBindings.signalfdFor(10, 0)); // SIGUSR1, never sent
        int in = say("inotify", KindBindings.inotifyInit1(0));
        KindBindings.inotifyAddWatch(in, dir.toString(), KindBindings.IN_CREATE);
        say("pidfd", ProcessCalls.pidfdOpen(ProcessCalls.getpid(), 0));
        say("memfd", KindBindings.memfdCreate("zoo", 0));
        // Locks: POSIX (the JDK's FileChannel.lock), flock, and an open-file-description lock on a range.
        FileChannel posix = keep(FileChannel.open(Files.writeString(dir.resolve("posix.lock"), "x"),
                StandardOpenOption.READ, StandardOpenOption.WRITE));
        keep(posix.lock());
        int fl = say("flock", FdCalls.open(Files.writeString(dir.resolve("flock.lock"), "x").toString(),
                FdCalls.O_RDWR, 0));
        KindBindings.flock(fl, KindBindings.LOCK_EX);
        int ofd = say("ofd", FdCalls.open(Files.writeString(dir.resolve("ofd.lock"), "0123456789").toString(),
                FdCalls.O_RDWR, 0));
        int r = KindBindings.ofdLock(ofd, KindBindings.F_RDLCK, 2, 4);
        if (r < 0) System.out.println("skip ofd-lock " + -r);
        keep(new RandomAccessFile(plain.toFile(), "r"));
        keep(unixServer);
        keep(client);
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the test closes our stdin
        }
    }

    private static <T> T keep(T o) {
        KEEP.add(o);
        return o;
    }

    private static int say(String key, int fd) {
        System.out.println(fd >= 0 ? "fd " + key + " " + fd : "skip " + key + " " + -fd);
        return fd;
    }

    private static void fact(String key, String value) {
        System.out.println("fact " + key + " " + value);
    }
}
