package dev.fdkit;

/** What an open descriptor refers to, as far as Linux shows it. */
public enum FdKind {
    FILE("file"),
    DIRECTORY("dir"),
    /** An anonymous pipe (pipe(2)); both ends share the inode in {@link FdInfo#inode()}. */
    PIPE("pipe"),
    /** A named pipe (mkfifo). */
    FIFO("fifo"),
    CHAR_DEVICE("chr"),
    BLOCK_DEVICE("blk"),
    SOCKET("socket"),
    EVENTFD("eventfd"),
    EVENTPOLL("eventpoll"),
    TIMERFD("timerfd"),
    SIGNALFD("signalfd"),
    INOTIFY("inotify"),
    FANOTIFY("fanotify"),
    PIDFD("pidfd"),
    IO_URING("io_uring"),
    MEMFD("memfd"),
    USERFAULTFD("userfaultfd"),
    /** Another anon_inode file (perf_event, bpf-map, kvm-vm, ...): the target names it. */
    ANON_INODE("anon"),
    /** A namespace file (net:[...], mnt:[...], ...). */
    NAMESPACE("ns"),
    /** A symlink opened with O_PATH|O_NOFOLLOW. */
    SYMLINK("link"),
    UNKNOWN("?");

    private final String label;

    FdKind(String label) {
        this.label = label;
    }

    /** A short lower-case label for tables and JSON: "file", "pipe", "eventfd". */
    public String label() {
        return label;
    }
}
