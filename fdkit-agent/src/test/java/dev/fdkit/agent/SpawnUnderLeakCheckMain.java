package dev.fdkit.agent;

import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** Runs {@link SpawningFixture} in this JVM; prints how many tests passed, then each failure's message. */
public final class SpawnUnderLeakCheckMain {
    public static void main(String[] args) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(SpawningFixture.class)).build(), listener);
        System.out.println("passed " + listener.getSummary().getTestsSucceededCount());
        listener.getSummary().getFailures().forEach(f -> System.out.println(f.getException().getMessage()));
    }
}
