package dev.fdkit.example;

import dev.fdkit.FdTable;
import dev.fdkit.Fds;
import dev.fdkit.spawn.FdProcessBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lists this JVM's descriptors, then starts a shell that lists its own: the child has stdin, stdout and stderr
 * and nothing else, however many descriptors the JVM has open. Prints one line per step; exits 1 if the child
 * got more than it should.
 */
public final class Consumer {
    private Consumer() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        FdTable mine = Fds.list();
        System.out.println("module: " + (Consumer.class.getModule().isNamed() ? Consumer.class.getModule().getName()
                : "unnamed (class path)"));
        System.out.println("this JVM has " + mine.size() + " descriptors open");

        // The shell's own listing opens one descriptor for the directory it reads: it lists 0, 1, 2 and that one.
        Process child = new FdProcessBuilder("/bin/sh", "-c", "exec ls /proc/self/fd").start();
        child.getOutputStream().close();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = child.waitFor();
        int[] childFds = out.lines().mapToInt(Integer::parseInt).sorted().toArray();
        System.out.println("the child had " + Arrays.toString(childFds) + ", exit " + status);
        boolean exact = status == 0 && childFds.length == 4 && childFds[0] == 0 && childFds[1] == 1
                && childFds[2] == 2;
        System.out.println(exact ? "ok: the child got stdio and nothing else" : "FAILED: the child inherited more");
        System.exit(exact ? 0 : 1);
    }
}
