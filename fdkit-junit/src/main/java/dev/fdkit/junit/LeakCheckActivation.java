package dev.fdkit.junit;

import org.junit.platform.engine.ConfigurationParameters;
import org.junit.platform.launcher.LauncherDiscoveryListener;
import org.junit.platform.launcher.LauncherDiscoveryRequest;

/**
 * Makes {@code fdkit.leakcheck.mode} (any mode but {@code off}) enough on its own. JUnit Jupiter loads {@link LeakCheckExtension}
 * from META-INF/services only when extension autodetection is on, which it is not by default. The launcher, though,
 * always loads discovery listeners from META-INF/services: this one sees the request's configuration and, when
 * the leak check is asked for and the user has not configured autodetection either way, switches autodetection
 * on for this extension alone, through the system properties JUnit reads its configuration from
 * ({@code junit.jupiter.extensions.autodetection.enabled=true},
 * {@code junit.jupiter.extensions.autodetection.include=dev.fdkit.junit.LeakCheckExtension}).
 *
 * <p>If the user set {@code junit.jupiter.extensions.autodetection.enabled} themselves, their value stands: with
 * {@code false}, a warning on stderr says that the leak check is off.
 */
public final class LeakCheckActivation implements LauncherDiscoveryListener {
    static final String AUTODETECT = "junit.jupiter.extensions.autodetection.enabled";
    static final String AUTODETECT_INCLUDE = "junit.jupiter.extensions.autodetection.include";

    /** For the launcher's ServiceLoader. */
    public LeakCheckActivation() {}

    @Override
    public void launcherDiscoveryStarted(LauncherDiscoveryRequest request) {
        ConfigurationParameters p = request.getConfigurationParameters();
        String mode = p.get(LeakCheckSettings.MODE).orElse(null);
        if (LeakCheckSettings.parameterMode(mode) == LeakCheck.Mode.OFF) return;
        var autodetect = p.getBoolean(AUTODETECT);
        if (autodetect.isPresent()) {
            if (!autodetect.get()) {
                System.err.println("fdkit: " + LeakCheckSettings.MODE + "=" + mode + " has no effect because " + AUTODETECT
                        + "=false: JUnit will not load " + LeakCheckExtension.class.getName()
                        + "; annotate the tests with @LeakCheck or allow autodetection");
            }
            return;
        }
        System.setProperty(AUTODETECT, "true");
        if (p.get(AUTODETECT_INCLUDE).isEmpty()) {
            System.setProperty(AUTODETECT_INCLUDE, LeakCheckExtension.class.getName());
        }
    }
}
