package dev.fdkit.junit;

import dev.fdkit.ErrnoException;
import dev.fdkit.FdInfo;
import dev.fdkit.Fds;
import dev.fdkit.internal.HeldDescriptors;
import dev.fdkit.internal.IdentitySnapshot;
import dev.fdkit.internal.SyscallException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The leak check: notes this process's descriptors (number, inode, mount) before each test and after it, and fails
 * the test naming every descriptor that appeared and stayed, with its kind and path or addresses (from a full
 * listing, taken only when something changed). What counts is only that a descriptor appeared during the test:
 * no file name is exempt, so a leaked JarFile is reported like any stream. Switched on by {@link LeakCheck} on a
 * class or method, or for every test by the configuration parameter {@code fdkit.leakcheck.mode} (e.g.
 * {@code strict}) (this class is registered for
 * JUnit's extension autodetection, which {@link LeakCheckActivation} switches on for it).
 *
 * <p>The whole process's table is compared, so descriptors other threads open while a test runs count as the
 * test's: do not combine the check with parallel test execution.
 */
public final class LeakCheckExtension implements BeforeEachCallback, AfterEachCallback {
    private static final Namespace NAMESPACE = Namespace.create(LeakCheckExtension.class);
    private static final String BEFORE = "before";
    /** How often a settling wait lists the table again. */
    private static final long POLL_MILLIS = 5;

    /** For JUnit's ServiceLoader and {@code @ExtendWith}. */
    public LeakCheckExtension() {}

    @Override
    public void beforeEach(ExtensionContext context) throws ErrnoException {
        LeakCheckSettings settings = LeakCheckSettings.of(context);
        if (!settings.enabled()) return;
        if (settings.warmUp()) WarmUp.once();
        context.getStore(NAMESPACE).put(BEFORE, new Snapshot(identities(), settings));
    }

    @Override
    public void afterEach(ExtensionContext context) throws ErrnoException, InterruptedException {
        Snapshot before = context.getStore(NAMESPACE).remove(BEFORE, Snapshot.class);
        if (before == null) return;
        // The common case costs two identity snapshots; a full listing only when something changed.
        if (identities().changedSince(before.identities()).length == 0) return;
        Verdict v = judge(before.identities(), before.settings());
        if (v.isClean()) return;
        throw new DescriptorLeakError(message(context, v), v.leaked(), v.unreachable());
    }

    /** The identities of the descriptors open now; a failure to enumerate them is fdkit's public ErrnoException. */
    static IdentitySnapshot identities() throws ErrnoException {
        try {
            return IdentitySnapshot.now();
        } catch (SyscallException e) {
            throw new ErrnoException(e.what(), e.errno());
        }
    }

    private record Snapshot(IdentitySnapshot identities, LeakCheckSettings settings) {}

    record Verdict(List<FdInfo> leaked, List<FdInfo> unreachable, boolean reportUnreachable) {
        boolean isClean() {
            return leaked.isEmpty() && (!reportUnreachable || unreachable.isEmpty());
        }
    }

    /** Lists in full, settles, collects garbage if asked: what the test left open, and what only a GC closed. */
    static Verdict judge(IdentitySnapshot before, LeakCheckSettings s) throws ErrnoException, InterruptedException {
        List<FdInfo> candidates = new ArrayList<>();
        for (FdInfo f : Fds.list()) {
            if (!before.holds(f.fd(), f.inode(), f.mountId()) && !HeldDescriptors.contains(f.fd())
                    && !ignored(f, s.ignore())) {
                candidates.add(f);
            }
        }
        if (candidates.isEmpty()) return new Verdict(List.of(), List.of(), s.reportUnreachable());
        // Other threads may still be closing what the test let go of: give them settleMillis.
        candidates = waitForClose(candidates, s.settleMillis());
        if (candidates.isEmpty() || !s.gc()) return new Verdict(candidates, List.of(), s.reportUnreachable());
        List<FdInfo> beforeGc = candidates;
        candidates = GcSettle.stillOpen(candidates);
        List<FdInfo> unreachable = new ArrayList<>(beforeGc);
        unreachable.removeAll(candidates);
        return new Verdict(candidates, unreachable, s.reportUnreachable());
    }

    static boolean ignored(FdInfo f, List<Pattern> ignore) {
        String description = f.kind().label() + " " + f.name();
        for (Pattern p : ignore) if (p.matcher(description).find()) return true;
        return false;
    }

    /** Looks again until none of {@code candidates} is open any more, or {@code millis} passed; what is left. */
    private static List<FdInfo> waitForClose(List<FdInfo> candidates, long millis)
            throws ErrnoException, InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        List<FdInfo> left = candidates;
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(POLL_MILLIS);
            IdentitySnapshot now = identities();
            List<FdInfo> still = new ArrayList<>();
            for (FdInfo f : left) if (now.holds(f.fd(), f.inode(), f.mountId())) still.add(f);
            left = still;
        }
        return left;
    }

    private static String message(ExtensionContext context, Verdict v) {
        String test = context.getTestClass().map(Class::getSimpleName).orElse("?") + "."
                + context.getTestMethod().map(m -> m.getName() + "()").orElse(context.getDisplayName());
        StringBuilder sb = new StringBuilder();
        if (!v.leaked().isEmpty()) {
            sb.append(count(v.leaked().size())).append(" leaked by ").append(test)
                    .append(": opened during the test and still open after it");
            for (FdInfo f : v.leaked()) sb.append("\n  ").append(f).append(AgentOpeners.below(f.fd()));
        }
        if (v.reportUnreachable() && !v.unreachable().isEmpty()) {
            if (!sb.isEmpty()) sb.append('\n');
            sb.append(count(v.unreachable().size())).append(" unclosed but unreachable after ").append(test)
                    .append(": dropped without close(), closed by a Cleaner only after System.gc()");
            for (FdInfo f : v.unreachable()) sb.append("\n  ").append(f);
        }
        return sb.toString();
    }

    private static String count(int n) {
        return n + (n == 1 ? " descriptor" : " descriptors");
    }
}
