package dev.fdkit;

import dev.fdkit.internal.NetCalls;
import dev.fdkit.internal.ProcFiles;
import dev.fdkit.internal.SockDiag;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Resolves socket inodes in the process's network namespace: unix, TCP and UDP sockets through sock_diag dumps when
 * that namespace is the caller's (binary, no text for the kernel to format and this class to parse), every other
 * family, and every family when the namespace differs or a dump fails, through the tables in /proc/PID/net. Each
 * family is asked at most once per listing, and only until every inode asked for is found; a socket is decoded in
 * full only when its inode is one of them.
 */
final class ProcNet {
    private ProcNet() {}

    /** A socket's precise kind and what its table says. */
    record Resolved(FdKind kind, SocketInfo info) {}

    enum Table {
        // Most common in a JVM first, so a typical listing stops early.
        UNIX("unix", FdKind.UNIX, 6, NetCalls.AF_UNIX, 0),
        TCP6("tcp6", FdKind.TCP6, 9, NetCalls.AF_INET6, SockDiag.IPPROTO_TCP),
        TCP("tcp", FdKind.TCP, 9, NetCalls.AF_INET, SockDiag.IPPROTO_TCP),
        UDP6("udp6", FdKind.UDP6, 9, NetCalls.AF_INET6, SockDiag.IPPROTO_UDP),
        UDP("udp", FdKind.UDP, 9, NetCalls.AF_INET, SockDiag.IPPROTO_UDP),
        NETLINK("netlink", FdKind.NETLINK, 9),
        UDPLITE6("udplite6", FdKind.UDPLITE6, 9),
        UDPLITE("udplite", FdKind.UDPLITE, 9),
        ICMP6("icmp6", FdKind.ICMP6, 9),
        ICMP("icmp", FdKind.ICMP, 9),
        RAW("raw", FdKind.RAW, 9),
        RAW6("raw6", FdKind.RAW6, 9),
        PACKET("packet", FdKind.PACKET, 8);

        final String file;
        final FdKind kind;
        final int inodeColumn;
        /** The sock_diag family and protocol that dump the same sockets; family -1 for none. */
        final int diagFamily, diagProtocol;

        Table(String file, FdKind kind, int inodeColumn) {
            this(file, kind, inodeColumn, -1, 0);
        }

        Table(String file, FdKind kind, int inodeColumn, int diagFamily, int diagProtocol) {
            this.file = file;
            this.kind = kind;
            this.inodeColumn = inodeColumn;
            this.diagFamily = diagFamily;
            this.diagProtocol = diagProtocol;
        }
    }

    /** Looks up {@code inodes} (any order, duplicates fine) in the tables of {@code pid}; what is found, by inode. */
    static Map<Long, Resolved> resolve(long pid, long[] inodes) {
        // Sorted and distinct by hand: a stream pipeline here loaded and linked a dozen classes for one call.
        long[] wanted = inodes.clone();
        Arrays.sort(wanted);
        int distinct = 0;
        for (int i = 0; i < wanted.length; i++) if (i == 0 || wanted[i] != wanted[i - 1]) wanted[distinct++] = wanted[i];
        return resolve(pid, Arrays.copyOf(wanted, distinct), sharesNetNamespace(pid));
    }

    /** {@link #resolve(long, long[])} for sorted distinct inodes, with sock_diag where {@code diag}, else text. */
    static Map<Long, Resolved> resolve(long pid, long[] wanted, boolean diag) {
        // Concurrent: the unix dump may fill it from a helper while this thread runs the inet dumps.
        Map<Long, Resolved> found = new ConcurrentHashMap<>(wanted.length * 2);
        ForkJoinTask<Integer> unixDump = diag && wanted.length >= PARALLEL_DUMP_MIN
                && Runtime.getRuntime().availableProcessors() > 1
                ? ForkJoinPool.commonPool().submit(() -> dump(Table.UNIX, wanted, found)) : null;
        int[] dumped = new int[Table.values().length]; // per table: 0 when its dump answered, else -errno or 1
        Arrays.fill(dumped, 1);
        if (unixDump != null) {
            // Each socket inode is in one family's table only, so dumps filling the map in any order find the
            // same. The inet dumps run here meanwhile; one not needed in the end costs time, never a difference.
            for (Table t : Table.values()) {
                if (found.size() == wanted.length) break;
                if (t.diagFamily >= 0 && t != Table.UNIX) dumped[t.ordinal()] = dump(t, wanted, found);
            }
            dumped[Table.UNIX.ordinal()] = unixDump.join();
        }
        for (Table t : Table.values()) {
            if (found.size() == wanted.length) break;
            if (dumped[t.ordinal()] == 0) continue;
            // A failed dump may have found some: the text table then adds the rest.
            if (diag && t.diagFamily >= 0 && unixDump == null && dump(t, wanted, found) == 0) continue;
            byte[] text = ProcFiles.read("/proc/" + pid + "/net/" + t.file, null);
            if (text != null) parse(t, text, wanted, found);
        }
        return found;
    }

    /**
     * From this many sockets on, the unix dump runs on a common-pool thread while this one runs the inet dumps:
     * a listing of that many has started the pool's threads already, and each dump takes milliseconds.
     */
    private static final int PARALLEL_DUMP_MIN = 1024;

    /**
     * Whether {@code pid} is in this thread's network namespace, the one sock_diag answers for. False when either
     * cannot be told (no access to the other's ns/net): the text tables of /proc/PID/net are the process's own.
     */
    static boolean sharesNetNamespace(long pid) {
        long theirs = ProcFiles.inode("/proc/" + pid + "/ns/net");
        return theirs > 0 && theirs == ProcFiles.inode("/proc/thread-self/ns/net");
    }

    /** One sock_diag dump for table {@code t}'s sockets: 0, or -errno when the text must answer instead. */
    static int dump(Table t, long[] wanted, Map<Long, Resolved> found) {
        if (t == Table.UNIX) {
            return SockDiag.dumpUnix(wanted, (inode, type, state, name) -> found.putIfAbsent(inode,
                    new Resolved(t.kind, unix(type, state == TCP_LISTEN, state == TCP_ESTABLISHED ? 3 : 1,
                            unixName(name)))));
        }
        return SockDiag.dumpInet(t.diagFamily, t.diagProtocol, wanted,
                (inode, state, local, localPort, remote, remotePort) -> found.putIfAbsent(inode,
                        new Resolved(t.kind, inet(t, address(local), localPort, address(remote), remotePort, state))));
    }

    private static final int TCP_ESTABLISHED = 1, TCP_LISTEN = 10;

    /**
     * A unix socket's address as /proc/net/unix prints it: a path without the NUL that ends it, an abstract name
     * as '@' and its bytes with each NUL as '@'; null when unbound.
     */
    static String unixName(byte[] sunPath) {
        if (sunPath == null || sunPath.length == 0) return null;
        if (sunPath[0] != 0) {
            int end = sunPath.length;
            if (sunPath[end - 1] == 0) end--;
            return new String(sunPath, 0, end, StandardCharsets.UTF_8);
        }
        byte[] b = sunPath.clone();
        for (int i = 0; i < b.length; i++) if (b[i] == 0) b[i] = '@';
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Network-order address bytes (4 or 16) as text. */
    private static String address(byte[] b) {
        return b.length == 4 ? ipv4(b, 0) : ipv6(b);
    }

    /** Parses one table's text (exposed for tests with captured text). */
    static Map<Long, Resolved> parse(String file, String text, long[] inodes) {
        Table t = Arrays.stream(Table.values()).filter(x -> x.file.equals(file)).findFirst().orElseThrow();
        Map<Long, Resolved> found = new HashMap<>();
        parse(t, text.getBytes(StandardCharsets.UTF_8), Arrays.stream(inodes).sorted().distinct().toArray(), found);
        return found;
    }

    private static void parse(Table t, byte[] text, long[] wanted, Map<Long, Resolved> found) {
        int[] starts = new int[12], ends = new int[12];
        int line = nextLine(text, 0); // the header
        while (line < text.length) {
            int eol = line;
            while (eol < text.length && text[eol] != '\n') eol++;
            int n = fields(text, line, eol, starts, ends);
            if (n > t.inodeColumn) {
                long ino = ProcFiles.number(text, starts[t.inodeColumn], ends[t.inodeColumn], 10);
                if (ino > 0 && Arrays.binarySearch(wanted, ino) >= 0 && !found.containsKey(ino)) {
                    SocketInfo info = switch (t) {
                        case UNIX -> unix(text, starts, ends, n, eol);
                        case NETLINK -> netlink(text, starts, ends);
                        case PACKET -> packet(text, starts, ends);
                        default -> inet(t, text, starts, ends);
                    };
                    if (info != null) found.put(ino, new Resolved(t.kind, info));
                }
            }
            line = eol + 1;
        }
    }

    private static int nextLine(byte[] text, int from) {
        int i = from;
        while (i < text.length && text[i] != '\n') i++;
        return i + 1;
    }

    /** Splits [from, to) at blanks into at most starts.length fields; returns how many. */
    private static int fields(byte[] text, int from, int to, int[] starts, int[] ends) {
        int n = 0, i = from;
        while (n < starts.length) {
            while (i < to && (text[i] == ' ' || text[i] == '\t')) i++;
            if (i >= to) break;
            starts[n] = i;
            while (i < to && text[i] != ' ' && text[i] != '\t') i++;
            ends[n++] = i;
        }
        return n;
    }

    // tcp, udp, raw: "sl local rem st tx:rx tr:tm retrnsmt uid timeout inode ..." with addresses "HEX:PORT".
    private static SocketInfo inet(Table t, byte[] text, int[] s, int[] e) {
        int localColon = lastColon(text, s[1], e[1]), remoteColon = lastColon(text, s[2], e[2]);
        if (localColon < 0 || remoteColon < 0) return null;
        String local = address(text, s[1], localColon);
        int localPort = (int) ProcFiles.number(text, localColon + 1, e[1], 16);
        String remote = address(text, s[2], remoteColon);
        int remotePort = (int) ProcFiles.number(text, remoteColon + 1, e[2], 16);
        int st = (int) ProcFiles.number(text, s[3], e[3], 16);
        return inet(t, local, localPort, remote, remotePort, st);
    }

    /** An inet socket from its table's fields; {@code st} is the kernel's sk_state. */
    private static SocketInfo inet(Table t, String local, int localPort, String remote, int remotePort, int st) {
        String protocol = t.kind.label();
        String type;
        String state;
        boolean connected;
        switch (t) {
            case TCP, TCP6 -> {
                type = "stream";
                state = tcpState(st);
                connected = st != 0x0A && remotePort != 0;
            }
            case UDP, UDP6, UDPLITE, UDPLITE6 -> {
                type = "dgram";
                state = st == 0x01 ? "ESTABLISHED" : "UNCONN";
                connected = st == 0x01;
            }
            case ICMP, ICMP6 -> { // ping sockets: the "port" is the echo identifier
                type = "dgram";
                state = st == 0x01 ? "ESTABLISHED" : "UNCONN";
                connected = st == 0x01;
            }
            default -> { // raw: the "port" column is the IP protocol
                type = "raw";
                state = st == 0x01 ? "ESTABLISHED" : "UNCONN";
                connected = st == 0x01;
            }
        }
        if (!connected) {
            remote = null;
            remotePort = -1;
        }
        return new SocketInfo(protocol, type, local, localPort, remote, remotePort, state, null);
    }

    private static int lastColon(byte[] text, int from, int to) {
        for (int i = to - 1; i >= from; i--) if (text[i] == ':') return i;
        return -1;
    }

    static String tcpState(int st) {
        return switch (st) {
            case 0x01 -> "ESTABLISHED";
            case 0x02 -> "SYN_SENT";
            case 0x03 -> "SYN_RECV";
            case 0x04 -> "FIN_WAIT1";
            case 0x05 -> "FIN_WAIT2";
            case 0x06 -> "TIME_WAIT";
            case 0x07 -> "CLOSE";
            case 0x08 -> "CLOSE_WAIT";
            case 0x09 -> "LAST_ACK";
            case 0x0A -> "LISTEN";
            case 0x0B -> "CLOSING";
            case 0x0C -> "NEW_SYN_RECV";
            case 0x0D -> "BOUND_INACTIVE";
            default -> "STATE_" + st;
        };
    }

    /**
     * The kernel prints an address as 32-bit words with "%08X" in host byte order: 8 hex digits for IPv4, 32 for
     * IPv6. The bytes in network order are each word's bytes as they sit in memory.
     */
    private static String address(byte[] text, int from, int to) {
        int len = to - from;
        if (len != 8 && len != 32) return new String(text, from, len, StandardCharsets.US_ASCII);
        byte[] b = new byte[len / 2];
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int w = 0; w < len / 8; w++) {
            long word = ProcFiles.number(text, from + w * 8, from + w * 8 + 8, 16);
            for (int k = 0; k < 4; k++) {
                int shift = little ? 8 * k : 8 * (3 - k);
                b[w * 4 + k] = (byte) (word >>> shift);
            }
        }
        return b.length == 4 ? ipv4(b, 0) : ipv6(b);
    }

    /**
     * Dotted quad. A StringBuilder, not "+": a string concatenation runs through method-handle code that the
     * JIT compiles only after thousands of calls, and a listing makes one or two per socket from its first one.
     */
    private static String ipv4(byte[] b, int at) {
        return new StringBuilder(15).append(b[at] & 0xff).append('.').append(b[at + 1] & 0xff).append('.')
                .append(b[at + 2] & 0xff).append('.').append(b[at + 3] & 0xff).toString();
    }

    /** RFC 5952 text: lower case, the longest run (>= 2) of zero groups as "::"; IPv4-mapped as dotted IPv4. */
    static String ipv6(byte[] b) {
        boolean mapped = true;
        for (int i = 0; i < 10; i++) mapped &= b[i] == 0;
        if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) return ipv4(b, 12);
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    // unix: "Num RefCount Protocol Flags Type St Inode [Path]"; the path is the rest of the line.
    private static SocketInfo unix(byte[] text, int[] s, int[] e, int n, int eol) {
        long flags = ProcFiles.number(text, s[3], e[3], 16);
        int type = (int) ProcFiles.number(text, s[4], e[4], 16);
        int st = (int) ProcFiles.number(text, s[5], e[5], 16);
        String path = null;
        if (n > 7) path = new String(text, s[7], eol - s[7], StandardCharsets.UTF_8).stripTrailing();
        return unix(type, (flags & 0x10000) != 0, st, path); // __SO_ACCEPTCON
    }

    /** A unix socket: its type, whether it listens, its socket state (SS_UNCONNECTED 1 .. SS_DISCONNECTING 4). */
    private static SocketInfo unix(int type, boolean listening, int st, String path) {
        String typeName = switch (type) {
            case 1 -> "stream";
            case 2 -> "dgram";
            case 5 -> "seqpacket";
            default -> "type" + type;
        };
        String state;
        if (listening) state = "LISTEN";
        else state = switch (st) {
            case 1 -> type == 2 ? "UNCONN" : "UNCONNECTED";
            case 2 -> "CONNECTING";
            case 3 -> "CONNECTED";
            case 4 -> "DISCONNECTING";
            default -> "FREE";
        };
        return new SocketInfo("unix", typeName, path, -1, null, -1, state, null);
    }

    // netlink: "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode"
    private static SocketInfo netlink(byte[] text, int[] s, int[] e) {
        int family = (int) ProcFiles.number(text, s[1], e[1], 10);
        long portId = ProcFiles.number(text, s[2], e[2], 10);
        return new SocketInfo("netlink", "raw", null, (int) portId, null, -1, null, netlinkFamily(family));
    }

    static String netlinkFamily(int family) {
        return switch (family) {
            case 0 -> "ROUTE";
            case 2 -> "USERSOCK";
            case 3 -> "FIREWALL";
            case 4 -> "SOCK_DIAG";
            case 5 -> "NFLOG";
            case 6 -> "XFRM";
            case 7 -> "SELINUX";
            case 8 -> "ISCSI";
            case 9 -> "AUDIT";
            case 10 -> "FIB_LOOKUP";
            case 11 -> "CONNECTOR";
            case 12 -> "NETFILTER";
            case 13 -> "IP6_FW";
            case 14 -> "DNRTMSG";
            case 15 -> "KOBJECT_UEVENT";
            case 16 -> "GENERIC";
            case 18 -> "SCSITRANSPORT";
            case 19 -> "ECRYPTFS";
            case 20 -> "RDMA";
            case 21 -> "CRYPTO";
            case 22 -> "SMC";
            default -> "family " + family;
        };
    }

    // packet: "sk RefCnt Type Proto Iface R Rmem User Inode"; Proto is the ethertype in hex, Iface an ifindex.
    private static SocketInfo packet(byte[] text, int[] s, int[] e) {
        int type = (int) ProcFiles.number(text, s[2], e[2], 10);
        int proto = (int) ProcFiles.number(text, s[3], e[3], 16);
        int iface = (int) ProcFiles.number(text, s[4], e[4], 10);
        String protoName = switch (proto) {
            case 0x0003 -> "ETH_P_ALL";
            case 0x0800 -> "ETH_P_IP";
            case 0x0806 -> "ETH_P_ARP";
            case 0x86DD -> "ETH_P_IPV6";
            default -> String.format("ethertype 0x%04x", proto);
        };
        String where = iface == 0 ? "any interface" : "ifindex " + iface;
        return new SocketInfo("packet", type == 2 ? "dgram" : "raw", null, iface, null, -1, null,
                protoName + " " + where);
    }
}
