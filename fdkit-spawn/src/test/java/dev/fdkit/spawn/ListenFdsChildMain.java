package dev.fdkit.spawn;

import dev.fdkit.internal.FdCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * Run by {@link ListenFdsTest} in a JVM started with socket activation: reports and uses its descriptors.
 * Argument "unset": claims them with unsetEnvironment and reports what the C environment then holds.
 */
public final class ListenFdsChildMain {
    public static void main(String[] args) throws Throwable {
        boolean unset = args.length > 0 && args[0].equals("unset");
        List<ListenFds.Fd> fds = ListenFds.inherited(unset);
        if (fds.isEmpty()) System.out.println("none");
        for (ListenFds.Fd fd : fds) {
            boolean cloexec = (FdCalls.fcntl(fd.fd(), FdCalls.F_GETFD, 0) & FdCalls.FD_CLOEXEC) != 0;
            System.out.println("fd=" + fd.fd() + " name=" + fd.name() + " family=" + fd.family() + " type=" + fd.type()
                    + " listening=" + fd.listening() + " cloexec=" + cloexec);
            byte[] msg = "hello from the child JVM\n".getBytes(StandardCharsets.UTF_8);
            try (var arena = Arena.ofConfined()) {
                var seg = arena.allocate(msg.length);
                seg.copyFrom(MemorySegment.ofArray(msg));
                FdCalls.write(fd.fd(), seg, msg.length);
            }
            FdCalls.close(fd.fd()); // the peer sees EOF after the message
        }
        if (unset) {
            Linker linker = Linker.nativeLinker();
            MethodHandle getenv = linker.downcallHandle(linker.defaultLookup().findOrThrow("getenv"),
                    FunctionDescriptor.of(ADDRESS, ADDRESS));
            StringBuilder sb = new StringBuilder("C environment:");
            try (Arena arena = Arena.ofConfined()) {
                for (String name : List.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES")) {
                    MemorySegment v = (MemorySegment) getenv.invokeExact(arena.allocateFrom(name));
                    sb.append(' ').append(name).append('=')
                            .append(v.equals(MemorySegment.NULL) ? "null" : v.reinterpret(256).getString(0));
                }
            }
            System.out.println(sb);
        }
    }
}
