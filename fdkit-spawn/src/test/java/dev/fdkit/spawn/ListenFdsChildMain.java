package dev.fdkit.spawn;

import dev.fdkit.internal.FdCalls;

import java.nio.charset.StandardCharsets;

/** Run by {@link ListenFdsTest} in a JVM started with socket activation: reports and uses its descriptors. */
public final class ListenFdsChildMain {
    public static void main(String[] args) {
        for (ListenFds.Fd fd : ListenFds.inherited()) {
            boolean cloexec = (FdCalls.fcntl(fd.fd(), FdCalls.F_GETFD, 0) & FdCalls.FD_CLOEXEC) != 0;
            System.out.println("fd=" + fd.fd() + " name=" + fd.name() + " cloexec=" + cloexec);
            byte[] msg = "hello from the child JVM\n".getBytes(StandardCharsets.UTF_8);
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                var seg = arena.allocate(msg.length);
                seg.copyFrom(java.lang.foreign.MemorySegment.ofArray(msg));
                FdCalls.write(fd.fd(), seg, msg.length);
            }
            FdCalls.close(fd.fd()); // the peer sees EOF after the message
        }
    }
}
