/** fdkit junit: a JUnit 5 extension that fails tests which leak descriptors. */
module dev.fdkit.junit {
    requires transitive dev.fdkit.core;
    requires transitive org.junit.jupiter.api;
    exports dev.fdkit.junit;
}
