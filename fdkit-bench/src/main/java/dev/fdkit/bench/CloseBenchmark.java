package dev.fdkit.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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

/**
 * closeFrom with N files open, per close method: the close_range patch's measurement. The N files are opened in a
 * per-invocation setup, outside the timed part (Level.Invocation is sound here: every call takes microseconds, far
 * above JMH's per-invocation timestamp cost). They sit above every descriptor the forked JVM had, and each call
 * closes from there upward only: a real closeFrom(3) would also close JMH's socket to its host process.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CloseBenchmark {
    @Param({"4", "1000", "10000"})
    public int n;

    @Param({"CLOSE_RANGE", "CLOSE_RANGE_CLOEXEC", "PROC", "FCNTL_CLOEXEC", "BRUTE", "FILES_LIST_WALK"})
    public CloseMethod method;

    private FdBlock block;

    /** JMH instantiates the state. */
    public CloseBenchmark() {}

    @Setup(Level.Trial)
    public void chooseBase() throws IOException {
        block = FdBlock.aboveJvm();
    }

    @Setup(Level.Invocation)
    public void openFiles() throws IOException {
        block.open(n);
    }

    @Benchmark
    public void closeFromBase() throws IOException {
        method.run(block.base());
    }

    @TearDown(Level.Invocation)
    public void closeLeftovers() throws IOException {
        block.closeAll(); // the CLOEXEC methods only mark; the others leave nothing
    }
}
