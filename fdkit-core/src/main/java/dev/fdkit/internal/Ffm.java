package dev.fdkit.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * The FFM plumbing every binding class shares: the linker, libc's symbols, errno capture and the conversion of a
 * failed call into a {@link SyscallException}.
 *
 * <p>Convention of the bindings: a wrapper returns the call's result, or {@code -errno} when the call failed, like
 * a raw system call. errno is captured by the linker right after the call ({@code captureCallState}), so nothing
 * the JVM does in between can clobber it.
 */
public final class Ffm {
    private Ffm() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /** One capture buffer per thread: allocation-free calls in loops. */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    static {
        // Link the errno read now: its first use spins classes, loaded through the JVM's runtime-image
        // descriptor, and a close loop that has just closed that descriptor must not load anything.
        int unused = (int) ERRNO.get(STATE.get(), 0L);
    }

    /**
     * A handle to libc's {@code name} that captures errno: its first parameter is the capture buffer of
     * {@link #state()}. Options such as {@code firstVariadicArg} are added to the capture.
     */
    public static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        return optionalDowncall(name, fd, options)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    /** Like {@link #downcall}, for a symbol some libcs lack (a newer glibc's, a GNU extension). */
    public static Optional<MethodHandle> optionalDowncall(String name, FunctionDescriptor fd,
                                                          Linker.Option... options) {
        NativeAccessCheck.ensure();
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = CAPTURE_ERRNO;
        System.arraycopy(options, 0, all, 1, options.length);
        return LIBC.find(name).map(address -> LINKER.downcallHandle(address, fd, all));
    }

    /** A handle to a libc function that cannot fail, so has no errno to capture. */
    public static MethodHandle plainDowncall(String name, FunctionDescriptor fd) {
        return optionalPlainDowncall(name, fd).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    /** Like {@link #plainDowncall}, for a symbol some libcs lack. */
    public static Optional<MethodHandle> optionalPlainDowncall(String name, FunctionDescriptor fd) {
        NativeAccessCheck.ensure();
        return LIBC.find(name).map(address -> LINKER.downcallHandle(address, fd));
    }

    /** This thread's errno capture buffer, to pass as the first argument of a {@link #downcall} handle. */
    public static MemorySegment state() {
        return STATE.get();
    }

    /** {@code r}, or -errno from {@code state} when {@code r} is -1 (the C convention of failure). */
    public static int result(int r, MemorySegment state) {
        return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
    }

    /** {@code r}, or -errno from {@code state} when {@code r} is -1 (the C convention of failure). */
    public static long result(long r, MemorySegment state) {
        return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
    }

    /**
     * The exception for a binding's failed {@code result} (-errno): its message names {@code what} was attempted
     * and the errno, e.g. "open(/proc/self/fd): ENOENT (No such file or directory)".
     */
    public static SyscallException failure(String what, long result) {
        return new SyscallException(what, (int) -result);
    }

    /**
     * Fails with one sentence naming the flag to add where this JVM denies {@code module} native access
     * ({@code --illegal-native-access=deny}, or a release where that is the default); where it only warns, the
     * JDK's warning stands. {@code restrictedCall} must make a restricted call from {@code module} itself: the JVM
     * judges the caller. The error is an {@link Error}, so that a class initializer passes it on as it is instead
     * of as an ExceptionInInitializerError.
     */
    public static void requireNativeAccess(Module module, Runnable restrictedCall) {
        if (module.isNativeAccessEnabled()) return;
        try {
            restrictedCall.run();
        } catch (IllegalCallerException e) {
            String who = module.isNamed() ? "module " + module.getName() : "code on the class path";
            String flag = module.isNamed() ? "dev.fdkit.core,dev.fdkit.spawn" : "ALL-UNNAMED";
            IllegalAccessError denied = new IllegalAccessError("fdkit calls the C library through the FFM API, "
                    + "which this JVM denies to " + who + ": add --enable-native-access=" + flag
                    + " to the java command line");
            denied.initCause(e);
            throw denied;
        }
    }

    /**
     * Runs the native-access check once, before the first handle is linked. A class of its own: where the check
     * fails, only this class stays uninitialized, and Ffm keeps serving the bindings' error paths.
     */
    private static final class NativeAccessCheck {
        static {
            Module self = Ffm.class.getModule();
            // Tested first so that the probe's lambda is linked only where access is not granted outright.
            if (!self.isNativeAccessEnabled()) requireNativeAccess(self, () -> MemorySegment.NULL.reinterpret(0));
        }

        static void ensure() {}
    }

    /** What a downcall threw, as an unchecked exception: downcalls throw nothing checked. */
    public static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
