package dev.fdkit.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Listing every open descriptor number with N (default 16,000) extra files open, per list method. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ListBenchmark extends BenchmarkDefaults {
    @Param({"16000"})
    public int n;

    @Param({"POLL", "FCNTL", "PROC", "FILES_LIST", "JMX_COUNT"})
    public ListMethod method;

    private FdBlock block;

    /** JMH instantiates the state. */
    public ListBenchmark() {}

    @Setup(Level.Trial)
    public void openFiles() throws IOException {
        block = FdBlock.aboveJvm();
        block.open(n);
        int[] found = method.run();
        int seen = method.lists() ? found.length : found[0]; // the JMX method returns only a count
        if (seen < n) {
            throw new IllegalStateException(method + " saw fewer than the " + n + " descriptors opened");
        }
    }

    @Benchmark
    public int[] list() throws IOException {
        return method.run();
    }

    @TearDown(Level.Trial)
    public void closeFiles() throws IOException {
        block.closeAll();
    }
}
