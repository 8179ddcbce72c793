/** fdkit bench: JMH benchmarks and the 'fdkit bench' runner. */
module dev.fdkit.bench {
    requires dev.fdkit.core;
    requires dev.fdkit.spawn;
    requires jmh.core;
    exports dev.fdkit.bench;
}
