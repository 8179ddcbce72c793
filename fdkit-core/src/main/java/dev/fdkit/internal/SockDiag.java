package dev.fdkit.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * NETLINK_SOCK_DIAG (sock_diag(7)): the kernel's binary dump of the sockets of one family in the caller's network
 * namespace, in place of the text tables of /proc/PID/net that it formats line by line. One dump per family and
 * protocol; only the sockets whose inode is asked for are decoded. Each call returns 0 or -errno; a kernel without
 * the family's diag module answers ENOENT (or EPROTONOSUPPORT, EINVAL), and the caller reads the text instead.
 */
public final class SockDiag {
    private SockDiag() {}

    public static final int IPPROTO_TCP = 6, IPPROTO_UDP = 17;

    private static final int NETLINK_SOCK_DIAG = 4, SOCK_DIAG_BY_FAMILY = 20;
    private static final short NLM_F_REQUEST = 0x1, NLM_F_DUMP = 0x300;
    private static final int NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_HDRLEN = 16;
    /** A netlink dump fills at most 32 KiB per read. */
    private static final int RECV_BYTES = 32768;
    /** Reads per dump before giving up: some 370 sockets come per read, so this allows hundreds of millions. */
    private static final int MAX_READS = 1 << 20;
    private static final int EIO = 5, EBADMSG = 74;

    // struct inet_diag_req_v2 and struct inet_diag_msg (linux/inet_diag.h).
    private static final int INET_REQ_BYTES = 56, INET_MSG_BYTES = 72;
    private static final int TCP_TIME_WAIT = 6, TCP_NEW_SYN_RECV = 12;
    // struct unix_diag_req and struct unix_diag_msg (linux/unix_diag.h).
    private static final int UNIX_REQ_BYTES = 24, UNIX_MSG_BYTES = 16, UDIAG_SHOW_NAME = 0x1, UNIX_DIAG_NAME = 0;

    /** One inet socket of a dump; addresses in network byte order, 4 bytes for AF_INET, 16 for AF_INET6. */
    @FunctionalInterface
    public interface InetSink {
        void accept(long inode, int state, byte[] local, int localPort, byte[] remote, int remotePort);
    }

    /**
     * One unix socket of a dump: its type (SOCK_STREAM...), its sk_state (TCP_LISTEN, TCP_ESTABLISHED, TCP_CLOSE),
     * and its address's sun_path bytes as bound (a leading NUL for the abstract namespace), or null when unbound.
     */
    @FunctionalInterface
    public interface UnixSink {
        void accept(long inode, int type, int state, byte[] name);
    }

    private interface Decoder {
        /** Decodes the message payload at {@code at}, {@code length} bytes. */
        void decode(byte[] buf, int at, int length);
    }

    /**
     * Dumps the sockets of {@code family} (AF_INET, AF_INET6) and {@code protocol} (IPPROTO_TCP, IPPROTO_UDP), all
     * states but TIME_WAIT and NEW_SYN_RECV (no descriptor holds those); {@code sink} gets those in {@code wanted}
     * (sorted ascending).
     */
    public static int dumpInet(int family, int protocol, long[] wanted, InetSink sink) {
        int addressBytes = family == NetCalls.AF_INET ? 4 : 16;
        return dump(INET_REQ_BYTES, req -> {
            req.set(JAVA_BYTE, 0, (byte) family);
            req.set(JAVA_BYTE, 1, (byte) protocol);
            req.set(JAVA_INT, 4, ~((1 << TCP_TIME_WAIT) | (1 << TCP_NEW_SYN_RECV)));
        }, (buf, at, length) -> {
            if (length < INET_MSG_BYTES) return;
            long inode = Integer.toUnsignedLong(nativeInt(buf, at + 68));
            if (Arrays.binarySearch(wanted, inode) < 0) return;
            int state = buf[at + 1] & 0xff;
            int localPort = bigEndianShort(buf, at + 4), remotePort = bigEndianShort(buf, at + 6);
            byte[] local = Arrays.copyOfRange(buf, at + 8, at + 8 + addressBytes);
            byte[] remote = Arrays.copyOfRange(buf, at + 24, at + 24 + addressBytes);
            sink.accept(inode, state, local, localPort, remote, remotePort);
        });
    }

    /** Dumps the unix sockets, every state, with their names; {@code sink} gets those in {@code wanted} (sorted). */
    public static int dumpUnix(long[] wanted, UnixSink sink) {
        return dump(UNIX_REQ_BYTES, req -> {
            req.set(JAVA_BYTE, 0, (byte) NetCalls.AF_UNIX);
            req.set(JAVA_INT, 4, -1); // every state
            req.set(JAVA_INT, 12, UDIAG_SHOW_NAME);
            req.set(JAVA_INT, 16, -1); // no cookie
            req.set(JAVA_INT, 20, -1);
        }, (buf, at, length) -> {
            if (length < UNIX_MSG_BYTES) return;
            long inode = Integer.toUnsignedLong(nativeInt(buf, at + 4));
            if (Arrays.binarySearch(wanted, inode) < 0) return;
            int type = buf[at + 1] & 0xff;
            int state = buf[at + 2] & 0xff;
            byte[] name = null;
            // Attributes (struct nlattr: u16 length, u16 type, payload, padded to 4) follow the message.
            for (int a = at + UNIX_MSG_BYTES; a + 4 <= at + length; ) {
                int attrLength = nativeShort(buf, a);
                int attrType = nativeShort(buf, a + 2) & 0x3fff;
                if (attrLength < 4 || a + attrLength > at + length) break;
                if (attrType == UNIX_DIAG_NAME) name = Arrays.copyOfRange(buf, a + 4, a + attrLength);
                a += align(attrLength);
            }
            sink.accept(inode, type, state, name);
        });
    }

    private interface Request {
        void fill(MemorySegment body);
    }

    private static int dump(int requestBytes, Request request, Decoder decoder) {
        int fd = NetCalls.socket(NetCalls.AF_NETLINK, NetCalls.SOCK_DGRAM | NetCalls.SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (fd < 0) return fd;
        try (Arena arena = Arena.ofConfined()) {
            int length = NLMSG_HDRLEN + requestBytes;
            MemorySegment req = arena.allocate(length, 8);
            req.set(JAVA_INT, 0, length);
            req.set(JAVA_SHORT, 4, (short) SOCK_DIAG_BY_FAMILY);
            req.set(JAVA_SHORT, 6, (short) (NLM_F_REQUEST | NLM_F_DUMP));
            req.set(JAVA_INT, 8, 1); // sequence number
            request.fill(req.asSlice(NLMSG_HDRLEN));
            long sent;
            do {
                sent = FdCalls.write(fd, req, length); // to the kernel: a netlink socket's default destination
            } while (sent == -Errno.EINTR);
            if (sent < 0) return (int) sent;
            if (sent != length) return -EIO;
            MemorySegment buf = arena.allocate(RECV_BYTES, 8);
            // Each read is copied out at once and decoded from the array: one bulk copy costs less than a segment
            // access per field, above all before the JIT has compiled the loop.
            byte[] bytes = new byte[RECV_BYTES];
            for (int reads = 0; reads < MAX_READS; reads++) {
                long got = FdCalls.read(fd, buf, RECV_BYTES);
                if (got == -Errno.EINTR) continue;
                if (got < 0) return (int) got;
                if (got == 0) return -EIO;
                int n = (int) got;
                MemorySegment.copy(buf, JAVA_BYTE, 0, bytes, 0, n);
                for (int off = 0; off + NLMSG_HDRLEN <= n; ) {
                    int msgLength = nativeInt(bytes, off);
                    int type = nativeShort(bytes, off + 4);
                    if (msgLength < NLMSG_HDRLEN || msgLength > n - off) return -EBADMSG;
                    int payload = msgLength - NLMSG_HDRLEN;
                    if (type == NLMSG_DONE) {
                        int status = payload >= 4 ? nativeInt(bytes, off + NLMSG_HDRLEN) : 0;
                        return Math.min(status, 0);
                    }
                    if (type == NLMSG_ERROR) {
                        int error = payload >= 4 ? nativeInt(bytes, off + NLMSG_HDRLEN) : -EIO;
                        return error < 0 ? error : -EIO;
                    }
                    if (type == SOCK_DIAG_BY_FAMILY) decoder.decode(bytes, off + NLMSG_HDRLEN, payload);
                    off += align(msgLength);
                }
            }
            return -EIO;
        } finally {
            FdCalls.close(fd);
        }
    }

    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** The u32 at {@code at} in the host's byte order (netlink's). */
    private static int nativeInt(byte[] b, int at) {
        int b0 = b[at] & 0xff, b1 = b[at + 1] & 0xff, b2 = b[at + 2] & 0xff, b3 = b[at + 3] & 0xff;
        return LITTLE ? b0 | b1 << 8 | b2 << 16 | b3 << 24 : b3 | b2 << 8 | b1 << 16 | b0 << 24;
    }

    /** The u16 at {@code at} in the host's byte order. */
    private static int nativeShort(byte[] b, int at) {
        int b0 = b[at] & 0xff, b1 = b[at + 1] & 0xff;
        return LITTLE ? b0 | b1 << 8 : b1 | b0 << 8;
    }

    /** The u16 at {@code at} in network byte order (ports). */
    private static int bigEndianShort(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static int align(int length) {
        return (length + 3) & ~3;
    }
}
