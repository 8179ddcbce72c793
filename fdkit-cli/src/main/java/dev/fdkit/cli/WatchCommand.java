package dev.fdkit.cli;

import dev.fdkit.FdDiff;
import dev.fdkit.FdTable;
import dev.fdkit.Fds;
import dev.fdkit.ProcessNotFoundException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

/** {@code fdkit watch}: what a process opens and closes, look after look. */
final class WatchCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    final CommandSpec spec = Specs.command("watch", this,
            "Print what a process opens and closes: every INTERVAL seconds it lists the process's "
                    + "descriptors again and prints the changes since the last look, until interrupted (Ctrl-C), "
                    + "until --count looks, or until the process exits.",
            "Lines: '+' opened, '-' closed, '~' the number now refers to another file.");

    private final PositionalParamSpec pid = Specs.pid(spec, "Process to watch.");

    private final OptionSpec interval = Specs.add(spec, OptionSpec.builder("--interval").type(double.class)
            .paramLabel("S").defaultValue("1")
            .description("Seconds between looks (fractions allowed; default: ${DEFAULT-VALUE})."));

    private final OptionSpec count = Specs.add(spec, OptionSpec.builder("--count").type(long.class)
            .paramLabel("N").defaultValue("0")
            .description("Stop after N looks after the first (default: until interrupted)."));

    {
        spec.usageMessage().sortOptions(false);
    }

    @Override
    public Integer call() throws Exception {
        long pid = this.pid.<Long>getValue();
        double interval = this.interval.<Double>getValue();
        long count = this.count.<Long>getValue();
        if (!(interval > 0) || interval > 86_400) {
            throw new ParameterException(spec.commandLine(), "--interval must be > 0 and at most 86400 seconds, was "
                    + interval);
        }
        if (count < 0) throw new ParameterException(spec.commandLine(), "--count must be >= 0, was " + count);
        long sleepNanos = (long) (interval * 1e9);
        PrintStream out = System.out;
        FdTable last = Fds.list(pid);
        out.printf("%s watching pid %d: %d descriptors open; every %s s%n", now(), pid, last.size(),
                trim(interval));
        out.flush();
        for (long look = 1; count == 0 || look <= count; look++) {
            Thread.sleep(sleepNanos / 1_000_000, (int) (sleepNanos % 1_000_000));
            FdTable next;
            try {
                next = Fds.list(pid);
            } catch (ProcessNotFoundException e) {
                out.printf("%s pid %d exited%n", now(), pid);
                out.flush();
                return 0;
            }
            FdDiff d = last.diff(next);
            if (!d.isEmpty()) {
                String at = now();
                StringBuilder sb = new StringBuilder();
                for (FdDiff.Change c : d.changes()) sb.append(at).append(' ').append(c).append('\n');
                out.print(sb);
                out.flush();
            }
            last = next;
        }
        return 0;
    }

    private static String now() {
        return LocalTime.now().format(TIME);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
