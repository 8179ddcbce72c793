package dev.fdkit.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;

import dev.fdkit.internal.RawSyscalls.Syscall;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Bindings for looking at files and directories, /proc above all: getdents64, statx, readlinkat, fstatfs, xattrs,
 * access checks; and memfd_create, for files that live in memory only. Each returns the result or -errno (see {@link Ffm}); handles are linked on first use.
 */
public final class FileCalls {
    private FileCalls() {}

    public static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EACCESS = 0x200, AT_EMPTY_PATH = 0x1000;
    /** statx: use cached attributes (FUSE and network filesystems are not asked). */
    public static final int AT_STATX_DONT_SYNC = 0x4000;
    public static final int X_OK = 1;
    /** statx mask bits; the mount id needs Linux 5.8. */
    public static final int STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_NLINK = 0x4, STATX_INO = 0x100,
            STATX_SIZE = 0x200, STATX_MNT_ID = 0x1000;
    public static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000,
            S_IFBLK = 060000, S_IFDIR = 040000, S_IFCHR = 020000, S_IFIFO = 010000;
    public static final long PROC_SUPER_MAGIC = 0x9fa0;
    /** memfd_create flags; MFD_EXEC (executable mappings allowed even under vm.memfd_noexec) needs Linux 6.3. */
    public static final int MFD_CLOEXEC = 1, MFD_EXEC = 0x10;

    /** struct linux_dirent64 up to its name: the name starts right after d_type, NUL-terminated. */
    public static final StructLayout DIRENT64 = MemoryLayout.structLayout(
            JAVA_LONG.withName("d_ino"), JAVA_LONG.withName("d_off"), JAVA_SHORT.withName("d_reclen"),
            JAVA_BYTE.withName("d_type"));
    private static final VarHandle DIRENT64_RECLEN = DIRENT64.varHandle(groupElement("d_reclen"));
    /** Where d_name starts in a record. */
    public static final long DIRENT64_NAME = DIRENT64.byteSize();

    private static final MemoryLayout STATX_TIMESTAMP = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_INT.withName("tv_nsec"), JAVA_INT.withName("__reserved"));
    /** struct statx (include/uapi/linux/stat.h): one layout on every architecture, 256 bytes. */
    public static final StructLayout STATX = MemoryLayout.structLayout(
            JAVA_INT.withName("stx_mask"), JAVA_INT.withName("stx_blksize"), JAVA_LONG.withName("stx_attributes"),
            JAVA_INT.withName("stx_nlink"), JAVA_INT.withName("stx_uid"), JAVA_INT.withName("stx_gid"),
            JAVA_SHORT.withName("stx_mode"), MemoryLayout.paddingLayout(2),
            JAVA_LONG.withName("stx_ino"), JAVA_LONG.withName("stx_size"), JAVA_LONG.withName("stx_blocks"),
            JAVA_LONG.withName("stx_attributes_mask"),
            STATX_TIMESTAMP.withName("stx_atime"), STATX_TIMESTAMP.withName("stx_btime"),
            STATX_TIMESTAMP.withName("stx_ctime"), STATX_TIMESTAMP.withName("stx_mtime"),
            JAVA_INT.withName("stx_rdev_major"), JAVA_INT.withName("stx_rdev_minor"),
            JAVA_INT.withName("stx_dev_major"), JAVA_INT.withName("stx_dev_minor"),
            JAVA_LONG.withName("stx_mnt_id"), MemoryLayout.paddingLayout(104));
    private static final VarHandle STATX_MASK = STATX.varHandle(groupElement("stx_mask"));
    private static final VarHandle STATX_NLINK_FIELD = STATX.varHandle(groupElement("stx_nlink"));
    private static final VarHandle STATX_MODE_FIELD = STATX.varHandle(groupElement("stx_mode"));
    private static final VarHandle STATX_INO_FIELD = STATX.varHandle(groupElement("stx_ino"));
    private static final VarHandle STATX_SIZE_FIELD = STATX.varHandle(groupElement("stx_size"));
    private static final VarHandle STATX_MNT_ID_FIELD = STATX.varHandle(groupElement("stx_mnt_id"));

    /** struct statfs of x86_64 and aarch64 (120 bytes); only f_type is read. */
    private static final StructLayout STATFS = MemoryLayout.structLayout(
            JAVA_LONG.withName("f_type"), JAVA_LONG.withName("f_bsize"), JAVA_LONG.withName("f_blocks"),
            JAVA_LONG.withName("f_bfree"), JAVA_LONG.withName("f_bavail"), JAVA_LONG.withName("f_files"),
            JAVA_LONG.withName("f_ffree"), MemoryLayout.sequenceLayout(2, JAVA_INT).withName("f_fsid"),
            JAVA_LONG.withName("f_namelen"), JAVA_LONG.withName("f_frsize"), JAVA_LONG.withName("f_flags"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("f_spare"));
    private static final VarHandle STATFS_TYPE = STATFS.varHandle(groupElement("f_type"));

    private static final class Fstatfs {
        static final MethodHandle HANDLE = Ffm.downcall("fstatfs", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static final class Getxattr {
        static final MethodHandle HANDLE = Ffm.downcall("getxattr",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    }

    private static final class Faccessat {
        static final MethodHandle HANDLE = Ffm.downcall("faccessat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }

    /**
     * getdents64(2) into {@code buf}; the records are read with {@link Dirents}. By the system call's number (glibc
     * wraps it only since 2.30).
     */
    public static long getdents64(int fd, MemorySegment buf) {
        long r = RawSyscalls.call(Syscall.GETDENTS64, fd, RawSyscalls.address(buf), buf.byteSize());
        Reference.reachabilityFence(buf);
        return r;
    }

    /**
     * memfd_create(2): a descriptor of a new anonymous memory file, or -errno. By the system call's number (glibc
     * wraps it only since 2.27).
     */
    public static int memfdCreate(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) RawSyscalls.call(Syscall.MEMFD_CREATE, RawSyscalls.address(arena.allocateFrom(name)), flags);
        }
    }

    /** d_reclen of the record at {@code offset} of a getdents64 buffer. */
    public static int direntLength(MemorySegment buf, long offset) {
        return (short) DIRENT64_RECLEN.get(buf, offset) & 0xffff;
    }

    /** openat(2) with a path already in native memory (NUL-terminated). */
    public static int openat(int dirfd, MemorySegment path, int flags, int mode) {
        int r = (int) RawSyscalls.call(Syscall.OPENAT, dirfd, RawSyscalls.address(path), flags, mode);
        Reference.reachabilityFence(path);
        return r;
    }

    /** readlinkat(2): the length read into {@code buf}, or -errno. */
    public static long readlinkat(int dirfd, MemorySegment path, MemorySegment buf) {
        long r = RawSyscalls.call(Syscall.READLINKAT, dirfd, RawSyscalls.address(path), RawSyscalls.address(buf),
                buf.byteSize());
        Reference.reachabilityFence(path);
        Reference.reachabilityFence(buf);
        return r;
    }

    /** statx(2) into {@code buf} (at least {@link #STATX}'s size); 0 or -errno. */
    public static int statx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment buf) {
        if (buf.byteSize() < STATX.byteSize()) throw new IllegalArgumentException("statx buffer too small: " + buf);
        int r = (int) RawSyscalls.call(Syscall.STATX, dirfd, RawSyscalls.address(path), flags, mask,
                RawSyscalls.address(buf));
        Reference.reachabilityFence(path);
        Reference.reachabilityFence(buf);
        return r;
    }

    /** stx_mask of a struct statx: which fields the kernel filled in. */
    public static int statxMask(MemorySegment statx) {
        return (int) STATX_MASK.get(statx, 0L);
    }

    /** stx_mode: file type and permission bits. */
    public static int statxMode(MemorySegment statx) {
        return (short) STATX_MODE_FIELD.get(statx, 0L) & 0xffff;
    }

    /** stx_nlink: the link count, 0 once the file is unlinked everywhere. */
    public static long statxNlink(MemorySegment statx) {
        return (int) STATX_NLINK_FIELD.get(statx, 0L) & 0xffffffffL;
    }

    public static long statxIno(MemorySegment statx) {
        return (long) STATX_INO_FIELD.get(statx, 0L);
    }

    public static long statxSize(MemorySegment statx) {
        return (long) STATX_SIZE_FIELD.get(statx, 0L);
    }

    public static long statxMountId(MemorySegment statx) {
        return (long) STATX_MNT_ID_FIELD.get(statx, 0L);
    }

    /** The f_type of the filesystem {@code fd} is on, or -errno. */
    public static long fstatfsType(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            MemorySegment buf = arena.allocate(STATFS);
            int r = Ffm.result((int) Fstatfs.HANDLE.invokeExact(st, fd, buf), st);
            return r < 0 ? r : (long) STATFS_TYPE.get(buf, 0L);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** getxattr(2) of a text attribute (e.g. "system.sockprotoname"), without its trailing NUL; null on error. */
    public static String getxattr(String path, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            MemorySegment buf = arena.allocate(256);
            long n = Ffm.result((long) Getxattr.HANDLE.invokeExact(st, arena.allocateFrom(path),
                    arena.allocateFrom(name), buf, buf.byteSize()), st);
            if (n < 0) return null;
            while (n > 0 && buf.get(ValueLayout.JAVA_BYTE, n - 1) == 0) n--;
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** faccessat(2): 0 when {@code path} allows {@code mode} (X_OK...), else -errno. */
    public static int faccessat(int dirfd, String path, int mode, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Faccessat.HANDLE.invokeExact(st, dirfd, arena.allocateFrom(path), mode, flags),
                    st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }
}
