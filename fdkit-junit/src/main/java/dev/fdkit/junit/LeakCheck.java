package dev.fdkit.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Fails each test (of the annotated class, or the annotated method) that leaves a file descriptor open which it
 * opened: the table is listed before each test (before its {@code @BeforeEach} methods) and after it (after its
 * {@code @AfterEach} methods), and every descriptor that appeared and stayed is named in the failure, e.g.
 * {@code fd 37: tcp6 127.0.0.1:51234 -> 127.0.0.1:8080 ESTABLISHED}.
 *
 * <p>Every setting can also come from a JUnit configuration parameter (junit-platform.properties, Surefire's
 * {@code configurationParameters}, or a system property); the nearest annotation's mode wins over the parameter,
 * its ignore patterns add to the parameter's. {@code fdkit.leakcheck.mode=strict} (or another mode but
 * {@code off}) checks every test without any annotation. See docs/LEAKS.md.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LeakCheckExtension.class)
public @interface LeakCheck {
    /**
     * What the check does for the annotated class or method. {@link Mode#INHERIT} (the default): what the nearest
     * enclosing annotation says, else the configuration parameter {@code fdkit.leakcheck.mode} unless it is
     * {@code off}, else {@link Mode#STRICT}.
     *
     * @return the mode
     */
    Mode mode() default Mode.INHERIT;

    /**
     * Regular expressions; a descriptor whose description matches one ({@link java.util.regex.Matcher#find()})
     * is not blamed on the test. The description is the kind and the name, as in the failure message without
     * "fd N: ": {@code "file /tmp/x.jfr"}, {@code "tcp6 127.0.0.1:1234 -> 127.0.0.1:80 ESTABLISHED"},
     * {@code "pipe pipe:[1234]"}. Added to {@code fdkit.leakcheck.ignore}; nothing is ignored by default.
     *
     * @return the patterns
     */
    String[] ignore() default {};

    /**
     * How long to wait, at most, for descriptors that other threads are still closing (a server's connection
     * threads, an executor shutting down) before judging; -1: {@code fdkit.leakcheck.settleMillis}, default 100.
     * Only a test that would fail waits.
     *
     * @return the wait in milliseconds, or -1
     */
    int settleMillis() default -1;

    /** How a test is checked; the configuration parameter {@code fdkit.leakcheck.mode} spells each in lower case. */
    enum Mode {
        /** As the enclosing annotation or the configuration says; only meaningful in an annotation. */
        INHERIT,
        /** No check: exempts the annotated method (or class) where a class annotation or the parameter applies. */
        OFF,
        /** Every descriptor opened during the test and open after it is reported. */
        STRICT,
        /**
         * Collect garbage before judging, until the cleaner threads are idle and the candidates stop closing
         * (bounded; see docs/LEAKS.md): descriptors whose owner was unreachable and got closed that way are not
         * reported. Parameter value {@code gc-first}.
         */
        GC_FIRST,
        /**
         * Collect garbage as {@link #GC_FIRST} does, but report the descriptors it closed too, as
         * "unclosed but unreachable": code that drops a stream without closing it. Parameter value
         * {@code report-unreachable}.
         */
        REPORT_UNREACHABLE
    }
}
