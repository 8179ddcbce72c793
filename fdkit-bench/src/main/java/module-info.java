/** fdkit bench: JMH benchmarks and the 'fdkit bench' runner. */
module dev.fdkit.bench {
    requires transitive dev.fdkit.core;
    requires dev.fdkit.spawn;
    requires dev.fdkit.cli;
    requires jmh.core;
    requires java.desktop;
    requires java.management;
    requires jdk.management;
    requires org.jfree.jfreechart;
    requires org.jfree.svg;
    requires com.zaxxer.nuprocess;
    // An application, not a library: nothing exported (it runs from its own jar, on the class path).
    opens dev.fdkit.bench to dev.fdkit.cli; // picocli, compiled into the CLI module, sets the options
}
