package dev.fdkit.junit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The settings for one test: its method's and classes' {@link LeakCheck}, then configuration parameters. */
record LeakCheckSettings(boolean enabled, boolean gc, boolean reportUnreachable, List<Pattern> ignore,
                         int settleMillis, boolean warmUp) {

    static final String PREFIX = "fdkit.leakcheck.";
    static final String ENABLED = PREFIX + "enabled";
    static final String GC = PREFIX + "gc";
    static final String REPORT_UNREACHABLE = PREFIX + "reportUnreachable";
    static final String IGNORE = PREFIX + "ignore";
    static final String SETTLE_MILLIS = PREFIX + "settleMillis";
    static final String WARMUP = PREFIX + "warmup";

    static final int DEFAULT_SETTLE_MILLIS = 100;

    static LeakCheckSettings of(ExtensionContext context) {
        List<LeakCheck> annotations = new ArrayList<>(); // nearest first: method, class, enclosing classes
        context.getTestMethod().flatMap(m -> find(m)).ifPresent(annotations::add);
        for (Class<?> c = context.getTestClass().orElse(null); c != null; c = c.getEnclosingClass()) {
            find(c).ifPresent(annotations::add);
        }
        boolean enabled = annotations.isEmpty()
                ? bool(context, ENABLED, false)
                : annotations.getFirst().enabled();
        boolean reportUnreachable = bool(context, REPORT_UNREACHABLE, false)
                || annotations.stream().anyMatch(LeakCheck::reportUnreachable);
        boolean gc = reportUnreachable || bool(context, GC, false) || annotations.stream().anyMatch(LeakCheck::gc);
        List<Pattern> ignore = new ArrayList<>();
        context.getConfigurationParameter(IGNORE).ifPresent(v -> {
            for (String p : v.split(",")) if (!p.isBlank()) ignore.add(compile(p.trim(), IGNORE));
        });
        for (LeakCheck a : annotations) for (String p : a.ignore()) ignore.add(compile(p, "@LeakCheck(ignore)"));
        int settle = annotations.stream().mapToInt(LeakCheck::settleMillis).filter(v -> v >= 0).findFirst()
                .orElseGet(() -> integer(context, SETTLE_MILLIS, DEFAULT_SETTLE_MILLIS));
        return new LeakCheckSettings(enabled, gc, reportUnreachable, List.copyOf(ignore), settle,
                bool(context, WARMUP, true));
    }

    private static Optional<LeakCheck> find(AnnotatedElement e) {
        return AnnotationSupport.findAnnotation(e, LeakCheck.class);
    }

    private static boolean bool(ExtensionContext context, String key, boolean dflt) {
        return context.getConfigurationParameter(key).map(v -> switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + "=" + v + " is neither true nor false");
        }).orElse(dflt);
    }

    private static int integer(ExtensionContext context, String key, int dflt) {
        return context.getConfigurationParameter(key).map(v -> {
            try {
                int n = Integer.parseInt(v.trim());
                if (n < 0) throw new NumberFormatException();
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + "=" + v + " is not a number of milliseconds >= 0");
            }
        }).orElse(dflt);
    }

    private static Pattern compile(String regex, String where) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(where + ": '" + regex + "' is not a regular expression: "
                    + e.getDescription(), e);
        }
    }
}
