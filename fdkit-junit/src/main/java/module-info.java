/** fdkit junit: a JUnit 5 extension that fails tests which leak descriptors. */
module dev.fdkit.junit {
    requires transitive dev.fdkit.core;
    requires transitive org.junit.jupiter.api;
    requires java.management; // the fdkit agent's openers, when it runs in the test JVM
    // Only for the discovery listener that lets fdkit.leakcheck.mode switch the check on by itself; the
    // build tool's launcher provides it at test time.
    requires static org.junit.platform.launcher;
    exports dev.fdkit.junit;
    provides org.junit.jupiter.api.extension.Extension with dev.fdkit.junit.LeakCheckExtension;
    provides org.junit.platform.launcher.LauncherDiscoveryListener with dev.fdkit.junit.LeakCheckActivation;
}
