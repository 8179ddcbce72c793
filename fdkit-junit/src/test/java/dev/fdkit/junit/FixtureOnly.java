package dev.fdkit.junit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class of tests that exist to be run by another test (through the test kit, or a child JVM): they leak
 * on purpose, so they run only when the configuration parameter {@code fdkit.fixtures=true} says so.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(FixtureOnly.Condition.class)
@interface FixtureOnly {
    String KEY = "fdkit.fixtures";

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(KEY).filter("true"::equals).isPresent()
                    ? ConditionEvaluationResult.enabled("run by a test")
                    : ConditionEvaluationResult.disabled("a fixture: run only by the tests that inspect its outcome");
        }
    }
}
