package dev.fdkit.junit;

import dev.fdkit.Fds;

import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;

/**
 * Makes the JDK open, once and before the first snapshot, the descriptors it otherwise opens at the first use of
 * a feature and keeps for good, so the first test that uses the feature is not blamed for them:
 * <ul>
 *   <li>NIO's socket dispatcher: one end of a unix socketpair, used to close sockets under blocked threads;</li>
 *   <li>NativePRNG (SecureRandom): /dev/random and /dev/urandom;</li>
 *   <li>the virtual-thread I/O pollers: one epoll instance each;</li>
 *   <li>the class path's jars: the application class loader opens each one the first time a lookup reaches it,
 *       and keeps it open; a lookup of a resource that does not exist reaches them all.</li>
 * </ul>
 * Nothing is exempt by its name afterwards: a jar opened during a test (a URLClassLoader or JarFile the test did
 * not close) is reported like any other descriptor.
 * Each step is best effort: a failure here must not fail a test.
 */
final class WarmUp {
    private WarmUp() {}

    private static boolean done;

    static synchronized void once() {
        if (done) return;
        done = true;
        try {
            Fds.list(); // loads and links fdkit itself
        } catch (Exception ignored) {
            // the extension reports listing errors when it lists for real
        }
        try {
            SocketChannel.open().close();
        } catch (Exception ignored) {
            // no sockets here: nothing for the JDK to keep either
        }
        try {
            new SecureRandom().nextBytes(new byte[1]);
        } catch (Exception ignored) {
            // no NativePRNG
        }
        startVirtualThreadPollers();
        try {
            ClassLoader.getSystemClassLoader().getResource("dev/fdkit/junit/no such resource, open every jar");
        } catch (Exception ignored) {
            // a class path entry that cannot be read is skipped by the loader too
        }
    }

    /** A virtual thread blocks reading an empty pipe (so the JDK starts its pollers), then gets a byte. */
    private static void startVirtualThreadPollers() {
        try {
            Pipe pipe = Pipe.open();
            try {
                Thread reader = Thread.ofVirtual().start(() -> {
                    try {
                        pipe.source().read(ByteBuffer.allocate(1));
                    } catch (Exception ignored) {
                        // closed below on timeout
                    }
                });
                long deadline = System.nanoTime() + 1_000_000_000L;
                while (reader.getState() != Thread.State.WAITING && reader.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                pipe.sink().write(ByteBuffer.wrap(new byte[1]));
                reader.join(1000);
            } finally {
                pipe.sink().close();
                pipe.source().close();
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        }
    }
}
