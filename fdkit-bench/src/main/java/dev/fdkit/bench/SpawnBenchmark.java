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
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Start /bin/true and wait for it with N extra descriptors open in the parent, per spawner: fdkit's mechanisms
 * ("clone", "posix-spawn", and "posix-spawn-ffm": posix_spawn bound through FFM), ProcessBuilder and NuProcess
 * 3.0.0.
 *
 * <p>Eight warm-up seconds, not three: fdkit's spawn path reaches C2 only after some 10,000 calls (about 6 s of
 * spawns), and until then a compiler thread takes one of a small machine's cores.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
public class SpawnBenchmark extends BenchmarkDefaults {
    @Param({"10", "1000", "16000"})
    public int n;

    @Param({"clone", "posix-spawn", "posix-spawn-ffm", "ProcessBuilder", "NuProcess"})
    public String spawner;

    private FdBlock block;
    private SpawnMethod method;

    /** JMH instantiates the state. */
    public SpawnBenchmark() {}

    @Setup(Level.Trial)
    public void openFiles() throws IOException, InterruptedException {
        method = SpawnMethod.byId(spawner);
        block = FdBlock.aboveJvm();
        block.open(n);
        method.run(); // fails the trial at once if this spawner cannot start /bin/true here
    }

    @Benchmark
    public void spawnAndWait() throws IOException, InterruptedException {
        method.run();
    }

    @TearDown(Level.Trial)
    public void closeFiles() throws IOException {
        block.closeAll();
    }
}
