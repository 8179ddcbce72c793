import dev.fdkit.Fds;

import java.io.FileInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * mark-after-open.c from a JVM: opens N files with FileInputStream, times Fds.markCloseOnExec from 3 to the end of
 * the table (as the C program marks; this JVM never execs, so marking its own descriptors is harmless) right after
 * opening them and once more at once, 2001 times, after a warm-up five times as long.
 * java --enable-native-access=ALL-UNNAMED -cp fdkit-core/target/classes MarkAfterOpen.java N
 * Prints the median of the first calls and of the second calls, in microseconds.
 */
public class MarkAfterOpen {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int reps = 2001;
        long[] first = new long[reps], second = new long[reps];
        for (int pass = 0; pass < 6; pass++) { // the first five warm up (C2 compiles the calls)
            for (int k = 0; k < reps; k++) {
                List<FileInputStream> files = new ArrayList<>();
                for (int i = 0; i < n; i++) files.add(new FileInputStream("/dev/null"));
                long a = System.nanoTime();
                Fds.markCloseOnExec(3, Fds.MAX_FD);
                long b = System.nanoTime();
                Fds.markCloseOnExec(3, Fds.MAX_FD);
                long c = System.nanoTime();
                first[k] = b - a;
                second[k] = c - b;
                for (FileInputStream f : files) f.close();
            }
        }
        Arrays.sort(first);
        Arrays.sort(second);
        System.out.printf("JVM, n %d: first call after opening %.2f us, second %.2f us%n", n,
                first[reps / 2] / 1000.0, second[reps / 2] / 1000.0);
    }
}
