package dev.fdkit.agent;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentOptionsTest {
    @Test
    void noOptionsTurnBothPartsOn() {
        for (String none : new String[] {null, "", "  "}) {
            AgentOptions o = AgentOptions.parse(none);
            assertTrue(o.spawn());
            assertTrue(o.stacks());
            assertEquals(AgentOptions.DEFAULT_STACK_DEPTH, o.stackDepth());
        }
    }

    @Test
    void everyOptionIsRead() {
        AgentOptions o = AgentOptions.parse("spawn=off,stacks=on,stackDepth=5,include=com.example:org.acme,exclude=com.example.pool");
        assertFalse(o.spawn());
        assertEquals(5, o.stackDepth());
        assertEquals(List.of("com.example", "org.acme"), o.include());
        assertEquals(List.of("com.example.pool"), o.exclude());
        assertEquals("spawn=off,stacks=on,stackDepth=5,include=com.example:org.acme,exclude=com.example.pool", o.toString());
        assertTrue(o.included("com.example.Foo"));
        assertFalse(o.included("com.examples.Foo"), "a prefix is a whole package name");
        assertTrue(o.excluded("com.example.pool.Pool"));
    }

    @Test
    void badOptionsNameWhatIsWrongAndWhatIsAccepted() {
        assertEquals("fdkit agent option spawn=yes is not one of on, off",
                assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse("spawn=yes")).getMessage());
        assertEquals("unknown fdkit agent option \"depth\"; accepted: spawn, stacks, stackDepth, include, exclude",
                assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse("depth=3")).getMessage());
        assertEquals("fdkit agent option stackDepth=0 is not a number from 1 to 1024",
                assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse("stackDepth=0")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse("stackDepth=x"));
        assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse("spawn"));
        assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse("include=com..x:"));
        assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse("spawn=on,"));
    }
}
