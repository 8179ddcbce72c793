package dev.fdkit.bench;

import dev.fdkit.CloseRangeFlag;
import dev.fdkit.Fds;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static dev.fdkit.bench.BareCloseRange.TO_THE_END;
import static dev.fdkit.bench.CloseFloorBenchmark.BARE;
import static dev.fdkit.bench.CloseFloorBenchmark.CAPTURING;
import static dev.fdkit.bench.CloseFloorBenchmark.ERRNO;
import static dev.fdkit.internal.FdCalls.CLOSE_RANGE_CLOEXEC;

/**
 * fdkit's marking calls against their floor, as {@link CloseFloorBenchmark} does for closing: close_range(2) with
 * CLOSE_RANGE_CLOEXEC as a bare downcall, plain and capturing errno, then fdkit's two ways to ask for it. Marking
 * can be repeated on the same files, so N files are opened once per trial; each sample is
 * {@value #MARKS_PER_SAMPLE} calls (JMH reports the time of the whole sample), and its median (p0.50) is the
 * figure to compare.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1, batchSize = MarkFloorBenchmark.MARKS_PER_SAMPLE)
@Measurement(iterations = 5, time = 1, batchSize = MarkFloorBenchmark.MARKS_PER_SAMPLE)
public class MarkFloorBenchmark extends BenchmarkDefaults {
    /** Marking calls per sample: long enough to time well, short enough for a median to pass over preemption. */
    static final int MARKS_PER_SAMPLE = 100;

    /** JMH instantiates the benchmark. */
    public MarkFloorBenchmark() {}

    /** N files opened once for the whole trial: marking them close-on-exec again costs the same every time. */
    @State(Scope.Thread)
    public static class FilesOpenedOnce {
        @Param({"4", "1000"})
        public int n;

        private FdBlock block;

        /** JMH instantiates the state. */
        public FilesOpenedOnce() {}

        @Setup(Level.Trial)
        public void openFiles() throws IOException {
            block = FdBlock.aboveJvm();
            block.open(n);
        }

        @TearDown(Level.Trial)
        public void closeFiles() throws IOException {
            block.closeAll();
        }
    }

    @Benchmark
    public int bareMark(FilesOpenedOnce files) throws Throwable {
        return (int) BARE.invokeExact(files.block.base(), TO_THE_END, CLOSE_RANGE_CLOEXEC);
    }

    @Benchmark
    public int bareMarkCapturingErrno(FilesOpenedOnce files) throws Throwable {
        return (int) CAPTURING.invokeExact(ERRNO, files.block.base(), TO_THE_END, CLOSE_RANGE_CLOEXEC);
    }

    @Benchmark
    public void fdsMarkCloseOnExec(FilesOpenedOnce files) throws IOException {
        Fds.markCloseOnExec(files.block.base(), Fds.MAX_FD);
    }

    @Benchmark
    public void fdsCloseRangeCloexecFlag(FilesOpenedOnce files) throws IOException {
        Fds.closeRange(files.block.base(), Fds.MAX_FD, CloseRangeFlag.CLOEXEC);
    }
}
