package dev.fdkit.junit;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs fixture classes the way a build tool does: through the JUnit Platform launcher, with the listeners it finds
 * in META-INF/services, configuration given as request parameters. Arguments: class names and key=value pairs.
 * Prints "tests N failed M" and each failure's message.
 */
public final class RunFixtures {
    public static void main(String[] args) throws Exception {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .configurationParameter(FixtureOnly.KEY, "true");
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq > 0) request.configurationParameter(a.substring(0, eq), a.substring(eq + 1));
            else request.selectors(selectClass(Class.forName(a)));
        }
        LauncherDiscoveryRequest built = request.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(built, summary);
        TestExecutionSummary s = summary.getSummary();
        System.out.println("tests " + s.getTestsStartedCount() + " failed " + s.getTestsFailedCount());
        for (TestExecutionSummary.Failure f : s.getFailures()) {
            System.out.println("FAILURE " + f.getTestIdentifier().getDisplayName() + ": "
                    + f.getException().getMessage());
        }
        Fixtures.closeLeaked();
    }
}
