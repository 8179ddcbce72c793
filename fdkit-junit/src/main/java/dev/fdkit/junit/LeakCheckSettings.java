package dev.fdkit.junit;

import dev.fdkit.internal.Settings;
import dev.fdkit.junit.LeakCheck.Mode;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The settings for one test: its method's and classes' {@link LeakCheck}, then configuration parameters. */
record LeakCheckSettings(Mode mode, List<Pattern> ignore, int settleMillis, boolean warmUp) {

    static final String MODE = Settings.LEAKCHECK_MODE;
    static final String IGNORE = Settings.LEAKCHECK_IGNORE;
    static final String SETTLE_MILLIS = Settings.LEAKCHECK_SETTLE_MILLIS;
    static final String WARMUP = Settings.LEAKCHECK_WARMUP;

    static final int DEFAULT_SETTLE_MILLIS = 100;
    /** An hour: a longer wait is a mistake, not a setting. */
    private static final long MAX_SETTLE_MILLIS = 3_600_000;
    /** The modes a configuration parameter can name ({@link Mode#INHERIT} is the annotation's default only). */
    private static final Mode[] PARAMETER_MODES = {Mode.OFF, Mode.STRICT, Mode.GC_FIRST, Mode.REPORT_UNREACHABLE};

    /** Each pattern compiled once per JVM: the same few come back for every test. */
    private static final Map<String, Pattern> COMPILED = new ConcurrentHashMap<>();

    boolean enabled() {
        return mode != Mode.OFF;
    }

    boolean gc() {
        return mode == Mode.GC_FIRST || mode == Mode.REPORT_UNREACHABLE;
    }

    boolean reportUnreachable() {
        return mode == Mode.REPORT_UNREACHABLE;
    }

    static LeakCheckSettings of(ExtensionContext context) {
        List<LeakCheck> annotations = new ArrayList<>(); // nearest first: method, class, enclosing classes
        context.getTestMethod().flatMap(m -> find(m)).ifPresent(annotations::add);
        for (Class<?> c = context.getTestClass().orElse(null); c != null; c = c.getEnclosingClass()) {
            find(c).ifPresent(annotations::add);
        }
        Mode parameter = parameterMode(context.getConfigurationParameter(MODE).orElse(null));
        Mode mode = annotations.stream().map(LeakCheck::mode).filter(m -> m != Mode.INHERIT).findFirst()
                .orElse(annotations.isEmpty() || parameter != Mode.OFF ? parameter : Mode.STRICT);
        List<Pattern> ignore = new ArrayList<>();
        context.getConfigurationParameter(IGNORE).ifPresent(v -> {
            for (String p : v.split(",")) if (!p.isBlank()) ignore.add(compile(p.trim(), IGNORE));
        });
        for (LeakCheck a : annotations) for (String p : a.ignore()) ignore.add(compile(p, "@LeakCheck(ignore)"));
        int settle = annotations.stream().mapToInt(LeakCheck::settleMillis).filter(v -> v >= 0).findFirst()
                .orElseGet(() -> (int) Settings.number(SETTLE_MILLIS,
                        context.getConfigurationParameter(SETTLE_MILLIS).orElse(null), DEFAULT_SETTLE_MILLIS, 0,
                        MAX_SETTLE_MILLIS));
        boolean warmUp = Settings.flag(WARMUP, context.getConfigurationParameter(WARMUP).orElse(null), true);
        return new LeakCheckSettings(mode, List.copyOf(ignore), settle, warmUp);
    }

    /** The mode the configuration parameter {@code fdkit.leakcheck.mode} names; {@link Mode#OFF} when unset. */
    static Mode parameterMode(String value) {
        return Settings.choice(MODE, value, PARAMETER_MODES, LeakCheckSettings::spelling).orElse(Mode.OFF);
    }

    /** How the configuration parameter spells {@code m}: GC_FIRST is gc-first. */
    static String spelling(Mode m) {
        return m.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static Optional<LeakCheck> find(AnnotatedElement e) {
        return AnnotationSupport.findAnnotation(e, LeakCheck.class);
    }

    private static Pattern compile(String regex, String where) {
        Pattern p = COMPILED.get(regex);
        if (p != null) return p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(where + ": '" + regex + "' is not a regular expression: "
                    + e.getDescription(), e);
        }
        COMPILED.putIfAbsent(regex, p);
        return p;
    }
}
