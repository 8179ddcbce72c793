package dev.fdkit.agent;

import dev.fdkit.internal.ProcFiles;

import java.io.FileDescriptor;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Who opened each descriptor: the stack, thread and time of the JDK call that opened it, keyed by number and
 * checked against the file's mount id and inode when read, so a number closed outside Java and reused is never
 * blamed on the previous opener. Closes through the JDK drop the record before the number is free.
 *
 * <p>One record per number at most: the table is as large as the highest number the JDK ever opened.
 */
final class Openers {
    /** The opening of one descriptor. {@code frames} start at the caller of the JDK's open. */
    record Opener(int fd, long mountId, long inode, long epochMillis, String thread, String api,
                  List<StackWalker.StackFrame> frames) {}

    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final String BRIDGE_CLASS = JdkHooks.BRIDGE_NAME;
    /** How deep the JDK's own frames above an open may go (ZipFile under a class loader is about 40). */
    private static final int JDK_FRAMES_MAX = 96;

    private final AgentOptions options;
    private final ConcurrentHashMap<Integer, Opener> byNumber = new ConcurrentHashMap<>();
    /** Set while this thread records: class loading or statx must not record themselves. */
    private final ThreadLocal<Boolean> busy = new ThreadLocal<>();
    private final LongAdder recorded = new LongAdder();
    private final LongAdder errors = new LongAdder();

    Openers(AgentOptions options) {
        this.options = options;
    }

    /** The bridge's opened handle. */
    void opened(int fd, String api) {
        if (busy.get() != null) return;
        busy.set(Boolean.TRUE);
        try {
            record(fd, api);
        } catch (Throwable t) {
            errors.increment();
        } finally {
            busy.remove();
        }
    }

    void openedFd(FileDescriptor fd, String api) {
        opened(JdkFields.fd(fd), api);
    }

    void closing(int fd) {
        if (fd >= 0) byNumber.remove(fd);
    }

    void closingFd(FileDescriptor fd) {
        closing(JdkFields.fd(fd));
    }

    private void record(int fd, String api) {
        // Below the bridge: the JDK's own frames, then the caller's. Keep the caller's, and name the JDK call.
        List<StackWalker.StackFrame> all = WALKER.walk(s -> s.dropWhile(f -> !f.getClassName().equals(BRIDGE_CLASS))
                .skip(1).limit(options.stackDepth() + JDK_FRAMES_MAX).toList());
        int jdk = 0;
        while (jdk < all.size() && isJdk(all.get(jdk).getClassName())) jdk++;
        List<StackWalker.StackFrame> frames = jdk < all.size()
                ? all.subList(jdk, Math.min(all.size(), jdk + options.stackDepth()))
                : all.subList(0, Math.min(all.size(), options.stackDepth()));
        String firstOutside = jdk < all.size() ? all.get(jdk).getClassName() : "";
        if (options.excluded(firstOutside) || frames.stream().noneMatch(f -> options.included(f.getClassName()))) {
            byNumber.remove(fd);
            return;
        }
        String jdkApi = jdk == 0 ? api : simpleName(all.get(jdk - 1).getClassName()) + "." + all.get(jdk - 1).getMethodName();
        long[] st = new long[ProcFiles.STAT_FD_FIELDS];
        if (ProcFiles.statFd(fd, st) < 0) return; // closed again by another thread already
        byNumber.put(fd, new Opener(fd, st[2], st[1], System.currentTimeMillis(), Thread.currentThread().getName(),
                jdkApi, List.copyOf(frames)));
        recorded.increment();
    }

    /** The record for {@code fd} if it still describes the file open at that number now. */
    Opener current(int fd) {
        Opener o = byNumber.get(fd);
        if (o == null) return null;
        long[] st = new long[ProcFiles.STAT_FD_FIELDS];
        if (ProcFiles.statFd(fd, st) < 0 || st[1] != o.inode() || st[2] != o.mountId()) {
            byNumber.remove(fd, o); // closed or replaced outside Java
            return null;
        }
        return o;
    }

    long recorded() {
        return recorded.sum();
    }

    long errors() {
        return errors.sum();
    }

    static boolean isJdk(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.");
    }

    private static String simpleName(String className) {
        String s = className.substring(className.lastIndexOf('.') + 1);
        return s.replace('$', '.');
    }
}
