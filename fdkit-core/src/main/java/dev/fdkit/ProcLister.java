package dev.fdkit;

import dev.fdkit.internal.Dirents;
import dev.fdkit.internal.FdScan;
import dev.fdkit.internal.IntList;
import dev.fdkit.internal.Libc;
import dev.fdkit.internal.ProcFiles;

import java.util.ArrayList;
import java.util.List;

/** Builds {@link FdTable}s from /proc/PID/fd and /proc/PID/fdinfo. */
final class ProcLister {
    private ProcLister() {}

    static FdTable list(long pid) throws ErrnoException {
        int self = Libc.getpid();
        boolean isSelf = pid == self;
        // Our own listing takes its numbers first, so the directories opened below are never part of it.
        int[] selfNumbers = isSelf ? FdScan.open(0, Integer.MAX_VALUE) : null;
        String base = "/proc/" + pid;
        int fdDir = ProcFiles.openDir(base + "/fd");
        if (fdDir < 0) throw processError(pid, -fdDir, base + "/fd");
        int infoDir = ProcFiles.openDir(base + "/fdinfo");
        if (infoDir < 0) {
            Libc.close(fdDir);
            throw processError(pid, -infoDir, base + "/fdinfo");
        }
        try {
            int[] numbers = selfNumbers != null ? selfNumbers : numbersOf(fdDir, base);
            List<FdInfo> out = new ArrayList<>(numbers.length);
            int[] err = new int[1];
            for (int fd : numbers) {
                String target = ProcFiles.readlinkNumbered(fdDir, fd, err);
                if (target == null) {
                    if (err[0] == Libc.ENOENT) continue; // closed since the numbers were read
                    throw processError(pid, err[0], "readlink " + base + "/fd/" + fd);
                }
                byte[] info = ProcFiles.readNumbered(infoDir, fd, err);
                if (info == null && err[0] == Libc.ENOENT) continue;
                out.add(describe(fdDir, fd, target, info));
            }
            return new FdTable(pid, out);
        } finally {
            Libc.close(fdDir);
            Libc.close(infoDir);
        }
    }

    private static int[] numbersOf(int fdDir, String base) throws ErrnoException {
        int dup = Libc.fcntl(fdDir, Libc.F_DUPFD_CLOEXEC, 0); // Dirents owns and closes its descriptor
        if (dup < 0) throw new ErrnoException("dup " + base + "/fd", -dup);
        IntList list = new IntList();
        try (Dirents d = new Dirents(dup)) {
            int r = d.forEach(n -> {
                list.add(n);
                return true;
            });
            if (r < 0) throw new ErrnoException("getdents64(" + base + "/fd)", -r);
        }
        return list.toArray();
    }

    private static ErrnoException processError(long pid, int errno, String what) {
        if (errno == Libc.ENOENT || errno == Libc.ESRCH) {
            // /proc/PID missing means no such process; otherwise something else is wrong with procfs.
            int fd = ProcFiles.openDir("/proc/" + pid);
            if (fd >= 0) {
                Libc.close(fd);
                return new ErrnoException(what, errno);
            }
            return new ProcessNotFoundException(pid, errno);
        }
        if (errno == Libc.EACCES || errno == Libc.EPERM) return new ProcessAccessDeniedException(pid, errno);
        return new ErrnoException(what, errno);
    }

    static FdInfo describe(int fdDir, int fd, String target, byte[] info) {
        int flags = -1, mntId = -1;
        long pos = -1, ino = -1;
        if (info != null) {
            flags = (int) octalField(info, "flags:");
            pos = ProcFiles.field(info, "pos:");
            mntId = (int) ProcFiles.field(info, "mnt_id:");
            ino = ProcFiles.field(info, "ino:");
        }
        boolean cloexec = flags >= 0 && (flags & FdInfo.O_CLOEXEC) != 0;
        boolean deleted = target.endsWith(" (deleted)");
        FdKind kind = kindOf(fdDir, fd, target, flags);
        if (ino < 0) ino = bracketNumber(target);
        return new FdInfo(fd, kind, target, cloexec, AccessMode.ofFlags(flags), flags, pos, mntId, ino, deleted);
    }

    private static FdKind kindOf(int fdDir, int fd, String target, int flags) {
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
        int mode = ProcFiles.statModeNumbered(fdDir, fd);
        if (mode < 0) {
            return (flags & 010000000) != 0 ? FdKind.SYMLINK : FdKind.UNKNOWN;
        }
        return switch (mode & Libc.S_IFMT) {
            case Libc.S_IFREG -> FdKind.FILE;
            case Libc.S_IFDIR -> FdKind.DIRECTORY;
            case Libc.S_IFCHR -> FdKind.CHAR_DEVICE;
            case Libc.S_IFBLK -> FdKind.BLOCK_DEVICE;
            case Libc.S_IFIFO -> FdKind.FIFO;
            case Libc.S_IFSOCK -> FdKind.SOCKET;
            case Libc.S_IFLNK -> FdKind.SYMLINK;
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

    private static long octalField(byte[] text, String key) {
        int k = ProcFiles.indexOf(text, key, 0);
        if (k < 0) return -1;
        int i = k + key.length();
        while (i < text.length && (text[i] == ' ' || text[i] == '\t')) i++;
        long v = 0;
        int digits = 0;
        while (i < text.length && text[i] >= '0' && text[i] <= '7') {
            v = v * 8 + (text[i++] - '0');
            digits++;
        }
        return digits == 0 ? -1 : v;
    }
}
