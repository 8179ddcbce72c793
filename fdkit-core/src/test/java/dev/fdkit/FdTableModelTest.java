package dev.fdkit;

import dev.fdkit.internal.CloseStrategy;
import dev.fdkit.internal.Closer;
import dev.fdkit.internal.Errno;
import dev.fdkit.internal.FdCalls;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

import java.io.IOException;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random sequences of open / dup2 / closeRange / closeFromExcept / markCloseOnExec on a window of descriptors far
 * above the JVM's own, checked after every step against a model (number -> close-on-exec) with fcntl(F_GETFD).
 */
class FdTableModelTest {
    static final int WIDTH = 48;
    int base;
    /** The model: open numbers in the window and whether each is close-on-exec. */
    TreeMap<Integer, Boolean> model;

    sealed interface Op permits OpenOp, Dup2Op, CloseRangeOp, CloseFromExceptOp, MarkOp {}

    record OpenOp(int slot, boolean cloexec) implements Op {}

    record Dup2Op(int from, int to) implements Op {}

    record CloseRangeOp(int first, int last, CloseStrategy m) implements Op {}

    record CloseFromExceptOp(int first, List<Integer> keep) implements Op {}

    record MarkOp(int first, int last, CloseStrategy m) implements Op {}

    @BeforeTry
    void setUp() throws ErrnoException {
        base = TestFds.highBase();
        model = new TreeMap<>();
    }

    @AfterTry
    void tearDown() {
        TestFds.closeAll(base, base + WIDTH);
    }

    @Property(tries = 150)
    void tableFollowsTheModel(@ForAll("ops") List<Op> ops) throws IOException {
        for (Op op : ops) {
            apply(op);
            check(op);
        }
    }

    private void apply(Op op) throws IOException {
        switch (op) {
            case OpenOp o -> {
                TestFds.openAt(base + o.slot(), o.cloexec());
                model.put(o.slot(), o.cloexec());
            }
            case Dup2Op d -> {
                int r = FdCalls.dup2(base + d.from(), base + d.to());
                if (model.containsKey(d.from())) {
                    assertEquals(base + d.to(), r);
                    if (d.from() != d.to()) model.put(d.to(), false); // dup2 clears close-on-exec on the target
                } else {
                    assertEquals(-Errno.EBADF, r);
                }
            }
            case CloseRangeOp c -> {
                Closer.closeRange(c.m(), base + c.first(), base + c.last(), 0);
                model.subMap(c.first(), true, c.last(), true).clear();
            }
            case CloseFromExceptOp c -> {
                int[] keep = c.keep().stream().mapToInt(k -> base + k).toArray();
                Fds.closeFromExcept(base + c.first(), keep);
                model.tailMap(c.first(), true).keySet().removeIf(k -> !c.keep().contains(k));
            }
            case MarkOp mk -> {
                Closer.closeRange(mk.m(), base + mk.first(), base + mk.last(), FdCalls.CLOSE_RANGE_CLOEXEC);
                model.subMap(mk.first(), true, mk.last(), true).replaceAll((k, v) -> true);
            }
        }
    }

    private void check(Op after) {
        for (int slot = 0; slot < WIDTH; slot++) {
            int flags = FdCalls.fcntl(base + slot, FdCalls.F_GETFD, 0);
            Boolean expected = model.get(slot);
            String where = "slot " + slot + " after " + after + ", model " + model;
            if (expected == null) {
                assertEquals(-Errno.EBADF, flags, where);
            } else {
                assertEquals(expected, (flags & FdCalls.FD_CLOEXEC) != 0, where);
            }
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> slot = Arbitraries.integers().between(0, WIDTH - 1);
        Arbitrary<CloseStrategy> mech = Arbitraries.of(CloseStrategy.class);
        Arbitrary<Op> open = Combinators.combine(slot, Arbitraries.of(true, false)).as(OpenOp::new);
        Arbitrary<Op> dup2 = Combinators.combine(slot, slot).as(Dup2Op::new);
        Arbitrary<Op> close = Combinators.combine(slot, slot, mech)
                .as((a, b, m) -> new CloseRangeOp(Math.min(a, b), Math.max(a, b), m));
        Arbitrary<Op> except = Combinators.combine(slot, slot.list().ofMaxSize(6)).as(CloseFromExceptOp::new);
        Arbitrary<Op> mark = Combinators.combine(slot, slot, mech)
                .as((a, b, m) -> new MarkOp(Math.min(a, b), Math.max(a, b), m));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, open), net.jqwik.api.Tuple.of(3, dup2), net.jqwik.api.Tuple.of(2, close),
                net.jqwik.api.Tuple.of(1, except), net.jqwik.api.Tuple.of(2, mark)).list().ofMinSize(1).ofMaxSize(25);
    }
}
