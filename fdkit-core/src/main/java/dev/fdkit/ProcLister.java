package dev.fdkit;

import dev.fdkit.internal.Dirents;
import dev.fdkit.internal.Errno;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.FileCalls;
import dev.fdkit.internal.IntList;
import dev.fdkit.internal.ProcessCalls;
import dev.fdkit.internal.ProcFiles;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Builds {@link FdTable}s from /proc/PID/fd and /proc/PID/fdinfo, and sockets through {@link ProcNet}.
 *
 * <p>Per descriptor of another process: readlink of fd/N, one read of fdinfo/N, and a statx through fd/N for
 * path targets; from 2,048 descriptors on, common-pool threads describe batches while the fd/ directory is still
 * being read. For this process, the descriptor itself answers what fdinfo would (fcntl for the flags, lseek for
 * the offset, statx(AT_EMPTY_PATH) for type, inode and mount): cheaper system calls than opening fdinfo/N.
 */
final class ProcLister {
    private ProcLister() {}

    /** Below this many descriptors one thread lists them all: handing work to another costs more than it saves. */
    private static final int PARALLEL_MIN = 2048;
    /** Descriptors per batch: small enough that the threads finish together. */
    private static final int BATCH = 256;

    static FdTable list(long pid) throws ErrnoException {
        boolean isSelf = pid == ProcessCalls.getpid();
        // This process's numbers come first, from the enumeration, so the directories opened below are not in them.
        int[] selfNumbers = isSelf ? Fds.numbers() : null;
        String base = "/proc/" + pid;
        int fdDir = ProcFiles.openDir(base + "/fd");
        if (fdDir < 0) throw processError(pid, -fdDir, base + "/fd");
        int infoDir = ProcFiles.openDir(base + "/fdinfo");
        if (infoDir < 0) {
            FdCalls.close(fdDir);
            throw processError(pid, -infoDir, base + "/fdinfo");
        }
        try {
            LockedFiles locked = isSelf ? LockedFiles.ofProcess(pid) : LockedFiles.NONE;
            Batches batches = new Batches(isSelf, fdDir, infoDir, locked);
            if (isSelf) batches.describeAll(selfNumbers);
            else batches.readAndDescribe(base);
            if (batches.errno != 0) {
                throw processError(pid, batches.errno, "readlink " + base + "/fd/" + batches.errnoFd);
            }
            IntList socketsAt = new IntList();
            List<FdInfo> out = batches.described(socketsAt);
            if (socketsAt.size() > 0) resolveSockets(pid, out, socketsAt);
            return new FdTable(pid, out);
        } finally {
            FdCalls.close(fdDir);
            FdCalls.close(infoDir);
        }
    }

    /**
     * The descriptors of one listing in batches, described by the listing thread and, when there are many, by
     * helpers from the common pool at the same time: for another process the listing thread hands out each batch
     * as soon as getdents64 has returned it, so reading the directory and describing overlap.
     */
    private static final class Batches {
        private final boolean isSelf;
        private final int fdDir, infoDir;
        private final LockedFiles locked;
        private final List<int[]> numbers = new ArrayList<>(); // guarded by this
        private final List<FdInfo[]> results = new ArrayList<>(); // guarded by this
        private volatile int published;
        private volatile boolean complete;
        private final AtomicInteger next = new AtomicInteger();
        private int running; // helpers at work, guarded by this
        private boolean closed; // no helper may start any more, guarded by this
        private Throwable helperFailure; // guarded by this
        /** The first failure that is not a descriptor closed meanwhile: errno and descriptor. */
        int errno, errnoFd;

        Batches(boolean isSelf, int fdDir, int infoDir, LockedFiles locked) {
            this.isSelf = isSelf;
            this.fdDir = fdDir;
            this.infoDir = infoDir;
            this.locked = locked;
        }

        /** This process: the numbers are known. */
        void describeAll(int[] all) throws ErrnoException {
            for (int from = 0; from < all.length; from += BATCH) {
                publish(Arrays.copyOfRange(all, from, Math.min(all.length, from + BATCH)));
            }
            complete = true;
            if (all.length >= PARALLEL_MIN) startHelpers(all.length);
            finish();
        }

        /** Another process: its fd/ directory read batch by batch, each described while the next is read. */
        void readAndDescribe(String base) throws ErrnoException {
            // Since Linux 6.2 the directory's size is its count of open descriptors: helpers start with the first
            // batch. Before, they start once the directory has shown enough.
            long expected = ProcFiles.sizeOf(fdDir);
            boolean helping = false;
            int seen = 0;
            IntList batch = new IntList();
            try (Dirents d = new Dirents(fdDir, false)) { // list() closes fdDir
                while (true) {
                    long r = d.next(n -> {
                        batch.add(n);
                        return true;
                    });
                    if (r < 0) throw new ErrnoException("getdents64(" + base + "/fd)", (int) -r);
                    for (int from = 0; from < batch.size(); from += BATCH) {
                        publish(batch.slice(from, Math.min(batch.size(), from + BATCH)));
                    }
                    seen += batch.size();
                    batch.clear();
                    if (!helping && Math.max(expected, seen) >= PARALLEL_MIN && r > 0) {
                        startHelpers(Math.max(expected, seen));
                        helping = true;
                    }
                    if (r == 0) break;
                }
            } finally {
                complete = true;
                finish();
            }
        }

        private synchronized void publish(int[] batch) {
            numbers.add(batch);
            results.add(new FdInfo[batch.length]);
            published = numbers.size();
        }

        private void startHelpers(long descriptors) {
            int cpus = Runtime.getRuntime().availableProcessors();
            int helpers = (int) Math.min(Math.min(cpus - 1, ForkJoinPool.getCommonPoolParallelism()),
                    descriptors / (PARALLEL_MIN / 2));
            for (int i = 0; i < helpers; i++) ForkJoinPool.commonPool().execute(this::help);
        }

        /** A helper's run: none starts once the listing thread has finished (a busy pool may start it late). */
        private void help() {
            synchronized (this) {
                if (closed) return;
                running++;
            }
            try {
                work();
            } catch (Throwable t) {
                synchronized (this) {
                    if (helperFailure == null) helperFailure = t;
                }
            } finally {
                synchronized (this) {
                    running--;
                    notifyAll();
                }
            }
        }

        /** The listing thread describes what is left, then waits for the helpers still on a batch. */
        private void finish() {
            work();
            boolean interrupted = false;
            synchronized (this) {
                closed = true;
                while (running > 0) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true; // a helper is on its last batch: it ends soon, so wait on
                    }
                }
                if (helperFailure instanceof RuntimeException e) throw e;
                if (helperFailure instanceof Error e) throw e;
                if (helperFailure != null) throw new IllegalStateException(helperFailure);
            }
            if (interrupted) Thread.currentThread().interrupt();
        }

        /** Describes published batches until every one is taken and no more will come; waits briefly for more. */
        private void work() {
            Scratch scratch = new Scratch();
            while (true) {
                int b = next.get();
                if (b < published) {
                    if (next.compareAndSet(b, b + 1)) describeBatch(b, scratch);
                } else if (complete) {
                    if (b >= published) return;
                } else {
                    LockSupport.parkNanos(20_000); // the listing thread is reading the next batch
                }
            }
        }

        /**
         * Describes batch {@code b}. The work per descriptor is a method of its own: the JIT compiles a method
         * after some thousand calls, while a loop in a method called a few times stays interpreted (on-stack
         * replacement waits for far more iterations than a listing has).
         */
        private void describeBatch(int b, Scratch scratch) {
            int[] fds;
            FdInfo[] slots;
            synchronized (this) {
                fds = numbers.get(b);
                slots = results.get(b);
            }
            for (int k = 0; k < fds.length; k++) slots[k] = describeOne(fds[k], scratch);
        }

        /** One descriptor, or null when it was closed since the numbers were read. */
        private FdInfo describeOne(int fd, Scratch scratch) {
            if (isSelf && (fd == fdDir || fd == infoDir)) return null; // a number closed and reused meanwhile
            String target = ProcFiles.readlinkNumbered(fdDir, fd, scratch.err);
            if (target == null) {
                if (scratch.err[0] != Errno.ENOENT) failed(scratch.err[0], fd);
                return null; // ENOENT: closed since the numbers were read
            }
            if (isSelf) return describeOwn(infoDir, fd, target, scratch.stat, locked);
            int length = ProcFiles.readNumberedInto(infoDir, fd, scratch.info);
            if (length == -Errno.ENOENT) return null;
            return describe(fdDir, fd, target, length < 0 ? null : scratch.info[0], length, scratch.stat);
        }

        private synchronized void failed(int err, int fd) {
            if (errno == 0) {
                errno = err;
                errnoFd = fd;
            }
        }

        /**
         * Every descriptor described, in the order listed (null slots, closed meanwhile, left out); the positions of
         * the sockets among them are added to {@code socketsAt}. Batch by batch, in a method called per batch: one
         * loop over all descriptors here would run interpreted (see {@link #describeBatch}).
         */
        synchronized List<FdInfo> described(IntList socketsAt) {
            int total = 0;
            for (FdInfo[] r : results) total += r.length;
            List<FdInfo> out = new ArrayList<>(total);
            for (FdInfo[] r : results) collect(r, out, socketsAt);
            return out;
        }

        private static void collect(FdInfo[] batch, List<FdInfo> out, IntList socketsAt) {
            for (FdInfo f : batch) {
                if (f == null) continue;
                if (f.kind() == FdKind.SOCKET) socketsAt.add(out.size());
                out.add(f);
            }
        }
    }

    /** One describing thread's buffers, reused for every descriptor it describes. */
    private static final class Scratch {
        final int[] err = new int[1];
        final long[] stat = new long[ProcFiles.STAT_FD_FIELDS];
        final byte[][] info = {new byte[1024]};
    }

    /** One descriptor of this process, asked of the descriptor itself; null if it was closed meanwhile. */
    private static FdInfo describeOwn(int infoDir, int fd, String target, long[] stat, LockedFiles locked) {
        int fdFlags = FdCalls.fcntl(fd, FdCalls.F_GETFD, 0);
        int flags = FdCalls.fcntl(fd, FdCalls.F_GETFL, 0);
        if (fdFlags < 0 || flags < 0) return null;
        boolean cloexec = (fdFlags & FdCalls.FD_CLOEXEC) != 0;
        if (cloexec) flags |= FdInfo.O_CLOEXEC; // as fdinfo shows it
        int mode = -1;
        long ino = -1, mntId = -1, nlink = -1;
        if (ProcFiles.statFd(fd, stat) == 0) {
            mode = (int) stat[0];
            ino = stat[1];
            mntId = stat[2];
            nlink = stat[3];
        }
        FdKind kind = kindOf(target, flags, mode);
        long pos = 0; // fdinfo's "pos" is the file's f_pos, 0 where seeking means nothing
        if (kind.isSeekable()) {
            long p = FdCalls.lseek(fd, 0, FdCalls.SEEK_CUR); // SEEK_CUR 0 reads f_pos; it moves nothing
            if (p >= 0) pos = p;
        }
        if (ino < 0) ino = bracketNumber(target);
        String detail = null;
        Map<String, String> attributes = Map.of();
        if (hasAttributes(kind) || locked.mayHold(ino)) {
            byte[] info = ProcFiles.readNumberedWhole(infoDir, fd, null);
            if (info != null) {
                detail = detail(kind, info);
                attributes = FdinfoAttributes.of(kind, info);
            }
        }
        return new FdInfo(fd, kind, target, cloexec, AccessMode.ofFlags(flags), flags, pos, (int) mntId, ino,
                isDeleted(target, nlink), null, detail, attributes);
    }

    /** Unlinked: a path whose file has no link left. A name that merely ends in " (deleted)" is not evidence. */
    private static boolean isDeleted(String target, long nlink) {
        return nlink == 0 && target.startsWith("/");
    }

    /** The kinds whose fdinfo has more than the common lines (pos, flags, mnt_id, ino). */
    private static boolean hasAttributes(FdKind kind) {
        return switch (kind) {
            case PIDFD, EVENTPOLL, INOTIFY, EVENTFD, SIGNALFD, TIMERFD -> true;
            default -> false;
        };
    }

    /**
     * Gives every socket its precise kind and addresses: each family is asked once for the whole listing
     * ({@link ProcNet}). A socket none of them lists (another family, another namespace, a netlink socket never bound)
     * gets its kind from the protocol name the socket filesystem reports, and that name as its detail.
     * {@code socketsAt} holds the positions of the sockets in {@code out}: only they are visited.
     */
    private static void resolveSockets(long pid, List<FdInfo> out, IntList socketsAt) {
        long[] inodes = new long[socketsAt.size()];
        for (int k = 0; k < inodes.length; k++) inodes[k] = out.get(socketsAt.get(k)).inode();
        Map<Long, ProcNet.Resolved> resolved = ProcNet.resolve(pid, inodes);
        SharedAttributes attributes = new SharedAttributes();
        for (int k = 0; k < inodes.length; k++) {
            int i = socketsAt.get(k);
            out.set(i, resolved(pid, out.get(i), resolved.get(inodes[k]), attributes));
        }
    }

    /**
     * Socket {@code f} with what the tables said of it ({@code r}), else with the protocol its filesystem names;
     * {@code shared} holds the attribute maps made so far for sockets that had none before.
     */
    private static FdInfo resolved(long pid, FdInfo f, ProcNet.Resolved r, SharedAttributes shared) {
        if (r != null) return withSocket(f, r.kind(), r.info(), null, shared);
        String proto = FileCalls.getxattr("/proc/" + pid + "/fd/" + f.fd(), "system.sockprotoname");
        return proto == null ? f : withSocket(f, kindOfProtocol(proto), null, "protocol " + proto, shared);
    }

    /**
     * The kind for the socket filesystem's protocol name (system.sockprotoname): how a socket the tables do not
     * list yet is named, e.g. a netlink socket before its first bind.
     */
    static FdKind kindOfProtocol(String name) {
        if (name.startsWith("UNIX")) return FdKind.UNIX;
        return switch (name) {
            case "TCP" -> FdKind.TCP;
            case "TCPv6" -> FdKind.TCP6;
            case "UDP" -> FdKind.UDP;
            case "UDPv6" -> FdKind.UDP6;
            case "UDP-Lite" -> FdKind.UDPLITE;
            case "UDPLITEv6" -> FdKind.UDPLITE6;
            case "PING" -> FdKind.ICMP;
            case "PINGv6" -> FdKind.ICMP6;
            case "RAW" -> FdKind.RAW;
            case "RAWv6" -> FdKind.RAW6;
            case "PACKET" -> FdKind.PACKET;
            case "NETLINK" -> FdKind.NETLINK;
            default -> FdKind.SOCKET;
        };
    }

    /**
     * The attribute maps sockets without attributes of their own share, by type, then state (either may be null).
     * Keyed by the strings themselves: a concatenated key cost more than the lookup, per socket.
     */
    private static final class SharedAttributes {
        private final Map<String, Map<String, Map<String, String>>> byType = new HashMap<>();

        Map<String, String> of(SocketInfo socket) {
            return byType.computeIfAbsent(socket.type(), t -> new HashMap<>())
                    .computeIfAbsent(socket.state(), st -> socketAttributes(Map.of(), socket));
        }
    }

    private static FdInfo withSocket(FdInfo f, FdKind kind, SocketInfo socket, String detail,
                                     SharedAttributes shared) {
        Map<String, String> attributes = f.attributes();
        if (socket != null && (socket.type() != null || socket.state() != null)) {
            // Most sockets have no attributes of their own (no locks): those of one type and state share one map.
            attributes = attributes.isEmpty()
                    ? shared.of(socket)
                    : socketAttributes(attributes, socket);
        }
        return new FdInfo(f.fd(), kind, f.target(), f.closeOnExec(), f.access(), f.openFlags(), f.position(),
                f.mountId(), f.inode(), f.deleted(), socket, detail, attributes);
    }

    /** {@code own} followed by the socket's type and state, as one map that no record copies again. */
    private static Map<String, String> socketAttributes(Map<String, String> own, SocketInfo socket) {
        LinkedHashMap<String, String> all = new LinkedHashMap<>(own);
        if (socket.type() != null) all.put("SOCK.TYPE", socket.type());
        if (socket.state() != null) all.put("SOCK.STATE", socket.state().toLowerCase(Locale.ROOT));
        return new FdInfo.Attributes(all);
    }

    private static ErrnoException processError(long pid, int errno, String what) {
        if (!procIsMounted()) return new ProcUnavailableException(what, errno);
        if (errno == Errno.ENOENT || errno == Errno.ESRCH) {
            if (pid == ProcessCalls.getpid()) {
                // procfs, but not this process's: mounted for another pid namespace.
                int self = ProcFiles.openDir("/proc/" + pid);
                if (self < 0) return new ProcUnavailableException(what + " (this process is not in the procfs "
                        + "mounted on /proc)", errno);
                FdCalls.close(self);
            }
            // /proc/PID missing means no such process; otherwise something else is wrong with procfs.
            int fd = ProcFiles.openDir("/proc/" + pid);
            if (fd >= 0) {
                FdCalls.close(fd);
                return new ErrnoException(what, errno);
            }
            return new ProcessNotFoundException(pid, errno);
        }
        if (errno == Errno.EACCES || errno == Errno.EPERM) return new ProcessAccessDeniedException(pid, errno);
        return new ErrnoException(what, errno);
    }

    /** Whether /proc is procfs (not absent, not a tmpfs or bind mount covering it). */
    private static boolean procIsMounted() {
        int fd = ProcFiles.openDir("/proc");
        if (fd < 0) return false;
        try {
            return FileCalls.fstatfsType(fd) == FileCalls.PROC_SUPER_MAGIC;
        } finally {
            FdCalls.close(fd);
        }
    }

    /**
     * One descriptor of another process from its link target and the first {@code length} bytes of {@code info}
     * (its fdinfo; null when that could not be read).
     */
    static FdInfo describe(int fdDir, int fd, String target, byte[] info, int length, long[] stat) {
        int flags = -1, mntId = -1;
        long pos = -1, ino = -1;
        boolean locks = false;
        if (info != null) {
            // One pass: "pos:\t0", "flags:\t0100002", "mnt_id:\t15", "ino:\t1234", and whether a "lock:" line
            // follows (a regular file's fdinfo has one per lock held through it).
            for (int i = 0; i < length; ) {
                int eol = i;
                while (eol < length && info[eol] != '\n') eol++;
                switch (info[i]) {
                    case 'p' -> {
                        if (startsWith(info, i, "pos:")) pos = ProcFiles.number(info, i + 4, eol, 10);
                    }
                    case 'f' -> {
                        if (startsWith(info, i, "flags:")) flags = (int) ProcFiles.number(info, i + 6, eol, 8);
                    }
                    case 'm' -> {
                        if (startsWith(info, i, "mnt_id:")) mntId = (int) ProcFiles.number(info, i + 7, eol, 10);
                    }
                    case 'i' -> {
                        if (startsWith(info, i, "ino:")) ino = ProcFiles.number(info, i + 4, eol, 10);
                    }
                    case 'l' -> locks |= startsWith(info, i, "lock:");
                    default -> {
                    }
                }
                i = eol + 1;
            }
        }
        boolean cloexec = flags >= 0 && (flags & FdInfo.O_CLOEXEC) != 0;
        int mode = -1;
        long nlink = -1;
        if (target.startsWith("/")) {
            int r = ProcFiles.statNumberedCached(fdDir, fd, stat);
            mode = r < 0 ? r : (int) stat[0];
            if (r == 0) nlink = stat[1];
        }
        FdKind kind = kindOf(target, flags, mode);
        if (ino < 0) ino = bracketNumber(target);
        String detail = null;
        Map<String, String> attributes = Map.of();
        if (info != null && (hasAttributes(kind) || locks)) {
            byte[] whole = Arrays.copyOf(info, length);
            detail = detail(kind, whole);
            attributes = FdinfoAttributes.of(kind, whole);
        }
        return new FdInfo(fd, kind, target, cloexec, AccessMode.ofFlags(flags), flags, pos, mntId, ino,
                isDeleted(target, nlink), null, detail, attributes);
    }

    /** What fdinfo adds for some anon inodes: a pidfd's pid, how many files an epoll or inotify instance watches. */
    private static String detail(FdKind kind, byte[] info) {
        return switch (kind) {
            case PIDFD -> {
                int k = ProcFiles.indexOf(info, "Pid:", 0);
                if (k < 0) yield null;
                int i = k + 4;
                while (i < info.length && (info[i] == ' ' || info[i] == '\t')) i++;
                int j = i;
                while (j < info.length && info[j] != '\n') j++;
                String v = new String(info, i, j - i, java.nio.charset.StandardCharsets.US_ASCII);
                yield v.equals("-1") ? "exited" : v.equals("0") ? "pid in another namespace" : "pid " + v;
            }
            case EVENTPOLL -> plural(countLines(info, "tfd:"), "fd");
            case INOTIFY -> plural(countLines(info, "inotify wd:"), "watch");
            default -> null;
        };
    }

    private static String plural(int n, String what) {
        return n + " " + what + (n == 1 ? "" : what.endsWith("h") ? "es" : "s");
    }

    private static int countLines(byte[] text, String key) {
        int n = 0;
        for (int at = ProcFiles.indexOf(text, key, 0); at >= 0; at = ProcFiles.indexOf(text, key, at + key.length())) {
            n++;
        }
        return n;
    }

    /** The kind from the link target, and for paths from the file's mode (-errno when statx failed). */
    static FdKind kindOf(String target, int flags, int mode) {
        if (target.startsWith("socket:[")) return FdKind.SOCKET;
        if (target.startsWith("pipe:[")) return FdKind.PIPE;
        if (target.startsWith("anon_inode:")) {
            String name = target.substring("anon_inode:".length()).replace("[", "").replace("]", "");
            return switch (name) {
                case "eventfd" -> FdKind.EVENTFD;
                case "eventpoll" -> FdKind.EVENTPOLL;
                case "timerfd" -> FdKind.TIMERFD;
                case "signalfd" -> FdKind.SIGNALFD;
                case "inotify" -> FdKind.INOTIFY;
                case "fanotify" -> FdKind.FANOTIFY;
                case "pidfd" -> FdKind.PIDFD;
                case "io_uring" -> FdKind.IO_URING;
                case "userfaultfd" -> FdKind.USERFAULTFD;
                default -> FdKind.ANON_INODE;
            };
        }
        if (target.startsWith("/memfd:")) return FdKind.MEMFD;
        if (!target.startsWith("/")) {
            int colon = target.indexOf(":[");
            return colon > 0 && target.endsWith("]") ? FdKind.NAMESPACE : FdKind.UNKNOWN;
        }
        if (mode < 0) {
            return (flags >= 0 && (flags & FdCalls.O_PATH) != 0) ? FdKind.SYMLINK : FdKind.UNKNOWN;
        }
        return switch (mode & FileCalls.S_IFMT) {
            case FileCalls.S_IFREG -> FdKind.FILE;
            case FileCalls.S_IFDIR -> FdKind.DIRECTORY;
            case FileCalls.S_IFCHR -> FdKind.CHAR_DEVICE;
            case FileCalls.S_IFBLK -> FdKind.BLOCK_DEVICE;
            case FileCalls.S_IFIFO -> FdKind.FIFO;
            case FileCalls.S_IFSOCK -> FdKind.SOCKET;
            case FileCalls.S_IFLNK -> FdKind.SYMLINK;
            default -> FdKind.UNKNOWN;
        };
    }

    /** "socket:[123]" gives 123; -1 without brackets. */
    private static long bracketNumber(String target) {
        int open = target.indexOf(":["), close = target.lastIndexOf(']');
        if (open < 0 || close < open + 2) return -1;
        try {
            return Long.parseLong(target, open + 2, close, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean startsWith(byte[] text, int at, String key) {
        if (at + key.length() > text.length) return false;
        for (int j = 0; j < key.length(); j++) if (text[at + j] != key.charAt(j)) return false;
        return true;
    }
}
