package dev.fdkit.agent;

import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** Runs {@link LeakingFixture} in this JVM and prints each failure's message. */
public final class LeakReportMain {
    public static void main(String[] args) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(LeakingFixture.class)).build(), listener);
        listener.getSummary().getFailures().forEach(f -> System.out.println(f.getException().getMessage()));
    }
}
