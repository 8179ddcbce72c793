package dev.fdkit.spawn;

import dev.fdkit.internal.Libc;

import java.nio.charset.StandardCharsets;

/** Run by {@link ListenFdsTest} in a JVM started with socket activation: reports and uses its descriptors. */
public final class ListenFdsChildMain {
    public static void main(String[] args) {
        for (ListenFds.Fd fd : ListenFds.inherited()) {
            boolean cloexec = (Libc.fcntl(fd.fd(), Libc.F_GETFD, 0) & Libc.FD_CLOEXEC) != 0;
            System.out.println("fd=" + fd.fd() + " name=" + fd.name() + " cloexec=" + cloexec);
            byte[] msg = "hello from the child JVM\n".getBytes(StandardCharsets.UTF_8);
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                var seg = arena.allocate(msg.length);
                seg.copyFrom(java.lang.foreign.MemorySegment.ofArray(msg));
                Libc.write(fd.fd(), seg, msg.length);
            }
            Libc.close(fd.fd()); // the peer sees EOF after the message
        }
    }
}
