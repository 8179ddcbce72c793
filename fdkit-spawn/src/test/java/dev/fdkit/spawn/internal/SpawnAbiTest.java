package dev.fdkit.spawn.internal;

import org.junit.jupiter.api.Test;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SpawnAbi.java describes exactly what the compiled helper lays out: every struct, member and constant. */
class SpawnAbiTest {

    @Test
    void everyStructAndMemberHasTheLibrarysSizeAndOffset() {
        Map<String, String> java = new TreeMap<>();
        for (GroupLayout struct : List.of(SpawnAbi.MAP, SpawnAbi.RESULT, SpawnAbi.PLAN, SpawnAbi.ABI_FIELD,
                SpawnAbi.ABI_CONSTANT)) {
            String name = struct.name().orElseThrow();
            java.put(name, "offset 0 size " + struct.byteSize());
            long offset = 0;
            for (MemoryLayout member : struct.memberLayouts()) {
                if (!(member instanceof PaddingLayout)) {
                    java.put(name + "." + member.name().orElseThrow(), "offset " + offset + " size " + member.byteSize());
                }
                offset += member.byteSize();
            }
        }
        Map<String, String> c = new TreeMap<>();
        NativeSpawn.abiLayout().forEach((name, v) -> c.put(name, "offset " + v[0] + " size " + v[1]));
        assertTrue(c.size() > 30, "the library reports its layout: " + c);
        assertEquals(c, java);
    }

    @Test
    void everyConstantHasTheLibrarysValue() throws IllegalAccessException {
        Map<String, Long> java = new TreeMap<>();
        for (Field f : SpawnAbi.class.getDeclaredFields()) {
            if (f.getType() == int.class && Modifier.isStatic(f.getModifiers())) {
                java.put("FDKIT_" + f.getName(), (long) f.getInt(null));
            }
        }
        Map<String, Long> c = new TreeMap<>(NativeSpawn.abiConstants());
        assertTrue(c.size() > 15, "the library reports its constants: " + c);
        assertEquals(c, java);
    }

    @Test
    void theInjectedFailureStepsAreTheLibrarysSteps() {
        Map<String, Long> c = NativeSpawn.abiConstants();
        List<String> wrong = new ArrayList<>();
        for (String step : List.of("stack", "clone", "unshare", "move", "place", "devnull", "chdir", "rlimit", "exec",
                "thread", "file-actions")) {
            InjectedFailure f = InjectedFailure.parse(step + ":7");
            if (!Long.valueOf(f.step()).equals(c.get("FDKIT_STEP_" + step.toUpperCase().replace('-', '_')))
                    || f.errno() != 7) {
                wrong.add(step + " -> " + f);
            }
        }
        assertEquals(List.of(), wrong);
    }
}
