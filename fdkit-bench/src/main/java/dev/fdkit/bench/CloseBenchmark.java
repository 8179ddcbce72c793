package dev.fdkit.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** closeFrom with N files open ({@link OpenFdBlock}), per close method: the close_range patch's measurement. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CloseBenchmark extends BenchmarkDefaults {
    @Param({"CLOSE_RANGE", "CLOSE_RANGE_CLOEXEC", "PROC", "FCNTL_CLOEXEC", "BRUTE", "FILES_LIST_WALK"})
    public CloseMethod method;

    /** JMH instantiates the state. */
    public CloseBenchmark() {}

    @Benchmark
    public void closeFromBase(OpenFdBlock files) throws IOException {
        method.run(files.base());
    }
}
