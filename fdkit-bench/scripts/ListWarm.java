import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fds.list(pid) warm in two builds of fdkit, each loaded by its own class loader into this one JVM and called in
 * turn, so both see the same machine: java --enable-native-access=ALL-UNNAMED ListWarm.java BEFORE.jar AFTER.jar
 * PID N. Prints the median and minimum per build after a warm-up of at least 2 s each.
 */
public class ListWarm {
    public static void main(String[] args) throws Exception {
        Method before = listOf(args[0]), after = listOf(args[1]);
        long pid = Long.parseLong(args[2]);
        int n = Integer.parseInt(args[3]);
        for (Method m : new Method[] {before, after}) {
            long end = System.nanoTime() + 2_000_000_000L;
            for (int i = 0; i < 20 || System.nanoTime() < end; i++) m.invoke(null, pid);
        }
        int reps = n >= 10_000 ? 30 : n >= 1000 ? 300 : 3000;
        long[] tb = new long[reps], ta = new long[reps];
        for (int r = 0; r < reps; r++) {
            tb[r] = time(before, pid);
            ta[r] = time(after, pid);
        }
        System.out.printf("%-22s %9s %9s%n", "Fds.list(pid) warm", "median", "min");
        print("before", tb);
        print("after", ta);
    }

    private static Method listOf(String jar) throws Exception {
        ClassLoader loader = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()}, null);
        return Class.forName("dev.fdkit.Fds", true, loader).getMethod("list", long.class);
    }

    private static long time(Method m, long pid) throws Exception {
        long s = System.nanoTime();
        m.invoke(null, pid);
        return System.nanoTime() - s;
    }

    private static void print(String label, long[] t) {
        Arrays.sort(t);
        System.out.printf("  %-20s %9.2f %9.2f%n", label, t[t.length / 2] / 1e6, t[0] / 1e6);
    }
}
