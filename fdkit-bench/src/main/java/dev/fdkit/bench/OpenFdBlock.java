package dev.fdkit.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;

/**
 * The close benchmarks' descriptors: N files opened per invocation, outside the timed part (Level.Invocation is
 * sound here: every call takes microseconds, far above JMH's per-invocation timestamp cost), above every
 * descriptor the forked JVM had. A call closes from {@link #base()} upward only: a real closeFrom(3) would also
 * close JMH's socket to its host process.
 */
@State(Scope.Thread)
public class OpenFdBlock {
    @Param({"4", "1000", "10000"})
    public int n;

    private FdBlock block;
    private int base;

    /** JMH instantiates the state. */
    public OpenFdBlock() {}

    @Setup(Level.Trial)
    public void chooseBase() throws IOException {
        block = FdBlock.aboveJvm();
        base = block.base();
    }

    @Setup(Level.Invocation)
    public void openFiles() throws IOException {
        block.open(n);
    }

    @TearDown(Level.Invocation)
    public void closeLeftovers() throws IOException {
        block.closeAll(); // the methods that mark leave the files open; the others leave nothing
    }

    /** The first descriptor of the block. */
    public int base() {
        return base;
    }
}
