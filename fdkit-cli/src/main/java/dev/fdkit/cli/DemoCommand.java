package dev.fdkit.cli;

import dev.fdkit.FdInfo;
import dev.fdkit.Fds;
import dev.fdkit.internal.FdCalls;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.concurrent.Callable;

/**
 * The close_range(2) man page's example: open the files, show the table, closeFrom(3), show it again. It runs in
 * the CLI's own JVM, so closeFrom(3) also closes the JVM's own descriptors (its class image among them): every
 * path used after the close runs once before it, so no class has to load afterwards, and the demo exits at once.
 */
final class DemoCommand implements Callable<Integer> {
    final CommandSpec spec = Specs.command("demo", this,
            "Open FILEs, list descriptors, closeFrom(3), list again (the close_range(2) man page example).");

    private final PositionalParamSpec files = Specs.positionalList(spec, "FILE", "Files to open read-only.");

    @Override
    public Integer call() throws Exception {
        StringBuilder out = new StringBuilder();
        for (String f : Specs.values(files)) {
            int fd = FdCalls.open(f, FdCalls.O_RDONLY, 0);
            if (fd < 0) {
                System.err.println("fdkit demo: cannot open " + f + ": " + dev.fdkit.internal.Errno.describe(-fd));
                return 1;
            }
            out.append("open ").append(f).append(" -> fd ").append(fd).append('\n');
        }
        out.append("before closeFrom(3):\n");
        for (FdInfo info : Fds.list()) out.append("  ").append(info).append('\n');
        // Print now: after closeFrom(3) the JVM's own jar and console plumbing may be gone.
        System.out.print(out);
        System.out.flush();
        afterLine(Fds.numbers()); // loads every class the lines below need
        Fds.closeFrom(3);
        System.out.println(afterLine(Fds.numbers()));
        System.out.flush();
        Runtime.getRuntime().halt(0); // the JVM's own descriptors are closed: leave without shutdown hooks
        return 0;
    }

    private static String afterLine(int[] numbers) {
        StringBuilder after = new StringBuilder("after closeFrom(3), open descriptors:");
        for (int fd : numbers) after.append(' ').append(fd);
        return after.toString();
    }
}
