package dev.fdkit.agent;

import dev.fdkit.internal.ProcFiles;

import java.io.FileDescriptor;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Who opened each descriptor: the stack, thread and time of the JDK call that opened it, keyed by number and
 * checked against the file's mount id and inode when read, so a number closed outside Java and reused for another
 * file is never blamed on the previous opener. Closes through the JDK (a Cleaner's among them) drop the record
 * before the number is free.
 *
 * <p>An open costs a stack capture, a statx and a map insert. The bridge captures the stack as a Throwable's
 * backtrace: the JVM stores method and bytecode index per frame and decodes them into names only when the record
 * is read, where a StackWalker would resolve every frame it walks at once. The include and exclude options and the stack depth
 * apply when the record is read, as does the choice of frames (from the first outside the JDK).
 *
 * <p>One record per number at most: the table is as large as the highest number the JDK ever opened.
 */
final class Openers {
    /** The opening of one descriptor: the file's identity then, and the stack, still undecoded. */
    private record Opener(long mountId, long inode, long epochMillis, String thread, String api, Throwable stack) {}

    /** An opening as read: the JDK call that opened it and the frames above it, from the first outside the JDK. */
    record Opening(String api, String thread, long epochMillis, List<String> frames) {}

    private static final String BRIDGE_CLASS = JdkHooks.BRIDGE_NAME;

    private final AgentOptions options;
    private final ConcurrentHashMap<Integer, Opener> byNumber = new ConcurrentHashMap<>();
    /** Set while this thread records: class loading or statx must not record themselves. */
    private final ThreadLocal<Boolean> busy = new ThreadLocal<>();
    private final LongAdder recorded = new LongAdder();
    private final LongAdder errors = new LongAdder();

    Openers(AgentOptions options) {
        this.options = options;
    }

    /** The bridge's opened handle: {@code stack} is a Throwable made, never thrown, in the bridge's frame. */
    void opened(int fd, String api, Throwable stack) {
        if (busy.get() != null) return;
        busy.set(Boolean.TRUE);
        try {
            record(fd, api, stack);
        } catch (Throwable t) {
            errors.increment();
        } finally {
            busy.remove();
        }
    }

    void openedFd(FileDescriptor fd, String api, Throwable stack) {
        opened(JdkFields.fd(fd), api, stack);
    }

    void closing(int fd) {
        if (fd >= 0) byNumber.remove(fd);
    }

    void closingFd(FileDescriptor fd) {
        closing(JdkFields.fd(fd));
    }

    private void record(int fd, String api, Throwable stack) {
        long[] st = new long[ProcFiles.STAT_FD_FIELDS];
        if (ProcFiles.statFd(fd, st) < 0) return; // closed again by another thread already
        byNumber.put(fd, new Opener(st[2], st[1], System.currentTimeMillis(), Thread.currentThread().getName(), api,
                stack));
        recorded.increment();
    }

    /**
     * The opening of {@code fd} if its record still describes the file open at that number now and the include and
     * exclude options let it show; null otherwise.
     */
    Opening current(int fd) {
        Opener o = byNumber.get(fd);
        if (o == null) return null;
        long[] st = new long[ProcFiles.STAT_FD_FIELDS];
        if (ProcFiles.statFd(fd, st) < 0 || st[1] != o.inode() || st[2] != o.mountId()) {
            byNumber.remove(fd, o); // closed or replaced outside Java
            return null;
        }
        return decode(o);
    }

    /**
     * The stack starts in the bridge; below it come the JDK's own frames, then the caller's. Keeps the caller's, and
     * names the JDK call.
     */
    private Opening decode(Opener o) {
        StackTraceElement[] all = o.stack().getStackTrace();
        int bridge = 0;
        while (bridge < all.length && all[bridge].getClassName().equals(BRIDGE_CLASS)) bridge++;
        List<StackTraceElement> below = Arrays.asList(all).subList(bridge, all.length);
        int jdk = 0;
        while (jdk < below.size() && isJdk(below.get(jdk).getClassName())) jdk++;
        int depth = options.stackDepth();
        List<StackTraceElement> frames = jdk < below.size()
                ? below.subList(jdk, Math.min(below.size(), jdk + depth))
                : below.subList(0, Math.min(below.size(), depth));
        String firstOutside = jdk < below.size() ? below.get(jdk).getClassName() : "";
        if (options.excluded(firstOutside) || frames.stream().noneMatch(f -> options.included(f.getClassName()))) {
            return null;
        }
        String api = jdk == 0 ? o.api()
                : simpleName(below.get(jdk - 1).getClassName()) + "." + below.get(jdk - 1).getMethodName();
        return new Opening(api, o.thread(), o.epochMillis(), frames.stream().map(StackTraceElement::toString).toList());
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
