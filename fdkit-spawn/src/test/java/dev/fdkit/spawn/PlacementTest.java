package dev.fdkit.spawn;

import dev.fdkit.internal.FdCalls;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.fdkit.spawn.TestSupport.assertExactly;
import static dev.fdkit.spawn.TestSupport.childFdTargets;
import static dev.fdkit.spawn.TestSupport.target;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** passFd places the right file at the right number, whatever the mappings' collisions. */
class PlacementTest {

    /** The JVM's own 3 and 5, crossed. Nothing in this JVM is renumbered: the child's table is its own. */
    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void fiveToThreeAndThreeToFive(SpawnMechanism m) throws Exception {
        assumeTrue(dev.fdkit.Fds.isOpen(3) && dev.fdkit.Fds.isOpen(5), "this JVM has fds 3 and 5 open");
        String three = target(3), five = target(5);
        assumeFalse(three.equals(five), "fds 3 and 5 of this JVM are the same file: nothing to tell apart");
        Map<Integer, String> seen = childFdTargets(new FdProcessBuilder().mechanism(m).passFd(5, 3).passFd(3, 5));
        assertExactly(Set.of(0, 1, 2, 3, 5), seen.keySet(), seen.toString());
        assertEquals(five, seen.get(3));
        assertEquals(three, seen.get(5));
        assertEquals(three, target(3), "the parent's fd 3 is unchanged");
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void crossingChainAndCloseOnExecOnlyClearedInTheChild(SpawnMechanism m) throws Exception {
        int[] a = TestSupport.pipe(), b = TestSupport.pipe();
        try {
            // a[0] <-> a[1] swap, b[0] -> b[1]'s number... chained: b[1] -> 4 as well
            Map<Integer, String> seen = childFdTargets(new FdProcessBuilder().mechanism(m)
                    .passFd(a[0], a[1]).passFd(a[1], a[0]).passFd(b[0], b[1]).passFd(b[1], 4));
            assertExactly(Set.of(0, 1, 2, 4, a[0], a[1], b[1]), seen.keySet(), seen.toString());
            assertEquals(target(a[1]), seen.get(a[0]));
            assertEquals(target(a[0]), seen.get(a[1]));
            assertEquals(target(b[0]), seen.get(b[1]));
            assertEquals(target(b[1]), seen.get(4));
            for (int fd : new int[] {a[0], a[1], b[0], b[1]}) {
                assertTrue((FdCalls.fcntl(fd, FdCalls.F_GETFD, 0) & FdCalls.FD_CLOEXEC) != 0, "fd " + fd + " keeps FD_CLOEXEC");
            }
        } finally {
            TestSupport.closeAll(a);
            TestSupport.closeAll(b);
        }
    }

    /** Mapping onto 0-2 overrides the redirects: cat reads our pipe and writes into our other pipe. */
    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void mappingOntoStdio(SpawnMechanism m) throws Exception {
        int[] in = TestSupport.pipe(), out = TestSupport.pipe(), err = TestSupport.pipe();
        try {
            Process p = new FdProcessBuilder("sh", "-c", "cat; echo to-stderr >&2").mechanism(m)
                    .passFd(in[0], 0).passFd(out[1], 1).passFd(err[1], 2).start();
            byte[] msg = "through the child\n".getBytes(StandardCharsets.UTF_8);
            write(in[1], msg);
            FdCalls.close(in[1]);
            in[1] = -1;
            assertEquals(0, p.waitFor());
            FdCalls.close(out[1]);
            FdCalls.close(err[1]);
            out[1] = err[1] = -1;
            assertEquals("through the child\n", readFd(out[0]));
            assertEquals("to-stderr\n", readFd(err[0]));
            assertEquals(-1, p.getInputStream().read(), "stdout was passed, not piped: its stream is empty");
        } finally {
            for (int[] p : new int[][] {in, out, err}) for (int fd : p) if (fd >= 0) FdCalls.close(fd);
        }
    }

    /**
     * Random mappings: swaps, chains and cycles of any shape. Sources are this JVM's own low descriptors (passing
     * them changes nothing here; being low, they are used as they are, never moved onto a borrowed number) and
     * pipes of this test; child numbers are drawn from the same numbers and 3..10, so they collide often.
     */
    @Property(tries = 30)
    void anyMappingPlacesEverySource(@ForAll("mappings") List<int[]> choice, @ForAll SpawnMechanism m)
            throws Exception {
        int[][] pipes = {TestSupport.pipe(), TestSupport.pipe()};
        try {
            List<Integer> parent = new ArrayList<>();
            Set<String> targets = new HashSet<>();
            for (int fd = 3; fd <= 20 && parent.size() < 8; fd++) {
                if (dev.fdkit.Fds.isOpen(fd) && targets.add(target(fd))) parent.add(fd);
            }
            for (int[] p : pipes) for (int fd : p) parent.add(fd);
            List<Integer> childPool = new ArrayList<>(parent);
            for (int fd = 3; fd <= 10; fd++) childPool.add(fd);
            Map<Integer, Integer> childToParent = new LinkedHashMap<>();
            for (int[] c : choice) {
                childToParent.putIfAbsent(childPool.get(c[1] % childPool.size()), parent.get(c[0] % parent.size()));
            }
            FdProcessBuilder b = new FdProcessBuilder().mechanism(m);
            childToParent.forEach((child, par) -> b.passFd(par, child));
            Map<Integer, String> seen = childFdTargets(b);
            Set<Integer> expected = new TreeSet<>(Set.of(0, 1, 2));
            expected.addAll(childToParent.keySet());
            assertExactly(expected, seen.keySet(), childToParent + " -> " + seen);
            List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
            for (Map.Entry<Integer, Integer> e : childToParent.entrySet()) {
                String want = target(e.getValue());
                checks.add(() -> assertEquals(want, seen.get(e.getKey()), "child " + e.getKey() + " <- parent "
                        + e.getValue() + " in " + childToParent));
            }
            assertAll(checks);
        } finally {
            for (int[] p : pipes) TestSupport.closeAll(p);
        }
    }

    @Provide
    Arbitrary<List<int[]>> mappings() {
        Arbitrary<int[]> one = Combinators.combine(Arbitraries.integers().between(0, 50),
                Arbitraries.integers().between(0, 50)).as((p, c) -> new int[] {p, c});
        return one.list().ofMinSize(1).ofMaxSize(8);
    }

    static void write(int fd, byte[] data) {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var seg = arena.allocate(data.length);
            seg.copyFrom(java.lang.foreign.MemorySegment.ofArray(data));
            long r = FdCalls.write(fd, seg, data.length);
            assertEquals(data.length, r);
        }
    }

    static String readFd(int fd) {
        StringBuilder sb = new StringBuilder();
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var seg = arena.allocate(4096);
            long n;
            while ((n = FdCalls.read(fd, seg, 4096)) > 0) {
                sb.append(new String(seg.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }
}
