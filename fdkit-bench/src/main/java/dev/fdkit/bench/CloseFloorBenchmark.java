package dev.fdkit.bench;

import dev.fdkit.Fds;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;

/**
 * fdkit's close calls against their floor: the same close_range(2) as a bare FFM downcall made here, with no fdkit
 * code around it, once plain and once capturing errno (what the capture itself costs). N files sit above every
 * descriptor the forked JVM had; each call closes from there to the end of the table.
 *
 * <p>The files are opened again before every call ({@link OpenFdBlock}), so each sample is one call, and the median
 * (p0.50) is the figure to compare: on a busy machine the mean carries every preemption. Marking, which can be
 * repeated on the same files, is {@link MarkFloorBenchmark}.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp fdkit-bench/target/fdkit-bench.jar org.openjdk.jmh.Main \
 *       FloorBenchmark -p n=4,1000
 * </pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CloseFloorBenchmark extends BenchmarkDefaults {
    /** The bench's own close_range handles, in constants here so the JIT sees through them as through fdkit's. */
    static final MethodHandle BARE = BareCloseRange.bare(), CAPTURING = BareCloseRange.capturingErrno();
    /** Where the capturing handle writes errno: one thread runs these benchmarks. */
    static final MemorySegment ERRNO = Arena.global().allocate(Linker.Option.captureStateLayout());

    /** JMH instantiates the benchmark. */
    public CloseFloorBenchmark() {}

    @Benchmark
    public int bareCloseRange(OpenFdBlock files) throws Throwable {
        return (int) BARE.invokeExact(files.base(), BareCloseRange.TO_THE_END, 0);
    }

    @Benchmark
    public int bareCloseRangeCapturingErrno(OpenFdBlock files) throws Throwable {
        return (int) CAPTURING.invokeExact(ERRNO, files.base(), BareCloseRange.TO_THE_END, 0);
    }

    @Benchmark
    public void fdsCloseRange(OpenFdBlock files) throws IOException {
        Fds.closeRange(files.base(), Fds.MAX_FD);
    }

    @Benchmark
    public void fdsCloseFrom(OpenFdBlock files) throws IOException {
        Fds.closeFrom(files.base());
    }
}
