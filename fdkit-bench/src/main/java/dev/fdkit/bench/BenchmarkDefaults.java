package dev.fdkit.bench;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fork, warm-up and measurement a benchmark runs with unless it says otherwise: JMH reads these annotations
 * from a benchmark's superclass, and a benchmark's own annotation of the same kind replaces the inherited one.
 */
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class BenchmarkDefaults {
    /** For subclasses, which JMH instantiates. */
    protected BenchmarkDefaults() {}
}
