package dev.fdkit;

/** What an open descriptor refers to, as far as Linux shows it. */
public enum FdKind {
    /** A regular file; {@link FdInfo#deleted()} tells whether its path was unlinked since. */
    FILE("file"),
    /** A directory. */
    DIRECTORY("dir"),
    /** An anonymous pipe (pipe(2)); both ends share the inode in {@link FdInfo#inode()}. */
    PIPE("pipe"),
    /** A named pipe (mkfifo). */
    FIFO("fifo"),
    /** A character device (/dev/null, a terminal). */
    CHAR_DEVICE("chr"),
    /** A block device. */
    BLOCK_DEVICE("blk"),
    /** AF_UNIX, path (or "@abstract" name) and state from /proc/PID/net/unix. */
    UNIX("unix"),
    /** AF_INET stream socket (/proc/PID/net/tcp). */
    TCP("tcp"),
    /** AF_INET6 stream socket (/proc/PID/net/tcp6); the JDK's sockets are these unless IPv4 is preferred. */
    TCP6("tcp6"),
    /** AF_INET datagram socket (/proc/PID/net/udp). */
    UDP("udp"),
    /** AF_INET6 datagram socket (/proc/PID/net/udp6). */
    UDP6("udp6"),
    /** AF_INET UDP-Lite socket (IPPROTO_UDPLITE; /proc/PID/net/udplite). */
    UDPLITE("udplite"),
    /** AF_INET6 UDP-Lite socket (/proc/PID/net/udplite6). */
    UDPLITE6("udplite6"),
    /** AF_INET ping socket (SOCK_DGRAM, IPPROTO_ICMP; /proc/PID/net/icmp). */
    ICMP("icmp"),
    /** AF_INET6 ping socket (SOCK_DGRAM, IPPROTO_ICMPV6; /proc/PID/net/icmp6). */
    ICMP6("icmp6"),
    /** AF_NETLINK socket (/proc/PID/net/netlink). */
    NETLINK("netlink"),
    /** AF_PACKET (/proc/PID/net/packet). */
    PACKET("packet"),
    /** AF_INET SOCK_RAW (/proc/PID/net/raw). */
    RAW("raw"),
    /** AF_INET6 SOCK_RAW (/proc/PID/net/raw6). */
    RAW6("raw6"),
    /** A socket /proc/PID/net does not describe (another family, or another network namespace). */
    SOCKET("socket"),
    /** eventfd(2). */
    EVENTFD("eventfd"),
    /** An epoll instance (epoll_create(2)). */
    EVENTPOLL("eventpoll"),
    /** timerfd_create(2). */
    TIMERFD("timerfd"),
    /** signalfd(2). */
    SIGNALFD("signalfd"),
    /** An inotify instance. */
    INOTIFY("inotify"),
    /** A fanotify group. */
    FANOTIFY("fanotify"),
    /** A process descriptor (pidfd_open(2), clone(CLONE_PIDFD)). */
    PIDFD("pidfd"),
    /** An io_uring instance. */
    IO_URING("io_uring"),
    /** A memfd_create(2) file (tmpfs, "/memfd:NAME"). */
    MEMFD("memfd"),
    /** userfaultfd(2). */
    USERFAULTFD("userfaultfd"),
    /** Another anon_inode file (perf_event, bpf-map, kvm-vm, ...): the target names it. */
    ANON_INODE("anon"),
    /** A namespace file (net:[...], mnt:[...], ...). */
    NAMESPACE("ns"),
    /** A symlink opened with O_PATH|O_NOFOLLOW. */
    SYMLINK("link"),
    /** Nothing above: the target is shown as it is. */
    UNKNOWN("?");

    private final String label;

    FdKind(String label) {
        this.label = label;
    }

    /** {@return a short lower-case label for tables and JSON: "file", "pipe", "tcp6", "eventfd"} */
    public String label() {
        return label;
    }

    /** {@return whether this is a socket of any family (including the unresolved {@link #SOCKET})} */
    public boolean isSocket() {
        return switch (this) {
            case UNIX, TCP, TCP6, UDP, UDP6, UDPLITE, UDPLITE6, ICMP, ICMP6, NETLINK, PACKET, RAW, RAW6, SOCKET ->
                    true;
            default -> false;
        };
    }

    /** {@return whether this is one of the anon_inode kinds (eventfd ... userfaultfd, anon); memfd is a tmpfs file} */
    public boolean isAnonInode() {
        return switch (this) {
            case EVENTFD, EVENTPOLL, TIMERFD, SIGNALFD, INOTIFY, FANOTIFY, PIDFD, IO_URING, USERFAULTFD,
                 ANON_INODE -> true;
            default -> false;
        };
    }

    /**
     * Whether a descriptor of this kind has a file position that means something (files, directories, devices,
     * memfds); for other kinds {@link FdInfo#position()} means nothing.
     *
     * @return true for files, directories, devices and memfds
     */
    public boolean isSeekable() {
        return switch (this) {
            case FILE, DIRECTORY, CHAR_DEVICE, BLOCK_DEVICE, MEMFD -> true;
            default -> false;
        };
    }

    /**
     * The kind with this label ("tcp6") or enum name ("TCP6"), ignoring case.
     *
     * @param label a label or enum name
     * @return the kind
     * @throws IllegalArgumentException naming the valid labels
     */
    public static FdKind ofLabel(String label) {
        String l = label.trim();
        for (FdKind k : values()) if (k.label.equalsIgnoreCase(l) || k.name().equalsIgnoreCase(l)) return k;
        StringBuilder valid = new StringBuilder();
        for (FdKind k : values()) valid.append(valid.isEmpty() ? "" : ", ").append(k.label);
        throw new IllegalArgumentException("unknown descriptor kind '" + label + "' (known: " + valid + ")");
    }
}
