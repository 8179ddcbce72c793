package dev.fdkit.cli;

import dev.fdkit.FdInfo;
import dev.fdkit.FdTable;
import dev.fdkit.Fds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.concurrent.Callable;

@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List the open descriptors of a process (default: this one).")
final class LsCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "PID", description = "Process to list (default: fdkit's own).")
    Long pid;

    @Option(names = "--json", description = "Print a JSON array of objects instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        FdTable table = pid == null ? Fds.list() : Fds.list(pid);
        PrintStream out = System.out;
        if (json) {
            printJson(table, out);
        } else {
            out.printf("%-5s %-10s %-6s %-10s %s%n", "FD", "TYPE", "FLAGS", "POS", "TARGET");
            for (FdInfo f : table) {
                out.printf("%-5d %-10s %-6s %-10s %s%n", f.fd(), f.kind().label(), flags(f),
                        f.position() < 0 ? "-" : Long.toString(f.position()), f.target());
            }
        }
        out.flush();
        return 0;
    }

    /** Access letter (r, w, u), then 'e' when close-on-exec. */
    static String flags(FdInfo f) {
        return f.access().letter() + (f.closeOnExec() ? "e" : "-");
    }

    static void printJson(FdTable table, PrintStream out) {
        StringBuilder sb = new StringBuilder("[");
        boolean first = true;
        for (FdInfo f : table) {
            sb.append(first ? "\n  " : ",\n  ");
            first = false;
            sb.append("{\"fd\":").append(f.fd())
                    .append(",\"type\":").append(Json.quote(f.kind().label()))
                    .append(",\"target\":").append(Json.quote(f.target()))
                    .append(",\"cloexec\":").append(f.closeOnExec())
                    .append(",\"access\":").append(Json.quote(f.access().letter()))
                    .append(",\"flags\":").append(f.openFlags())
                    .append(",\"pos\":").append(f.position())
                    .append(",\"mnt_id\":").append(f.mountId())
                    .append(",\"inode\":").append(f.inode())
                    .append(",\"deleted\":").append(f.deleted())
                    .append('}');
        }
        out.println(sb.append(first ? "]" : "\n]"));
    }
}
