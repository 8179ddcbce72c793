package dev.fdkit.spawn.internal;

import dev.fdkit.internal.ProcessCalls;
import dev.fdkit.internal.Settings;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Run by {@code EnvironTest} in a JVM of its own: sets a variable with setenv(3) after the JVM started, then runs
 * {@code sh -c 'echo child=$VAR'} with no envp by the mechanism named in args[0] (clone, posix-spawn,
 * posix-spawn-ffm: posix_spawn bound through FFM, exec).
 */
public final class EnvironMain {
    static final String NAME = "FDKIT_ENVIRON_PROBE";

    public static void main(String[] args) throws Throwable {
        System.getenv(); // the JVM takes its snapshot on first use: before the setenv, as in a long-running JVM
        MethodHandle setenv = Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().findOrThrow("setenv"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        try (Arena a = Arena.ofConfined()) {
            int r = (int) setenv.invokeExact(a.allocateFrom(NAME), a.allocateFrom("set-after-start"), 1);
            // Socket activation meant for this process: a child started without envp must not get it.
            if (r == 0) r = (int) setenv.invokeExact(a.allocateFrom("LISTEN_FDS"), a.allocateFrom("2"), 1);
            if (r != 0) throw new IllegalStateException("setenv failed");
        }
        System.out.println("java-sees=" + System.getenv(NAME)); // the JVM's snapshot: null
        System.out.flush();
        byte[] sh = "/bin/sh".getBytes(StandardCharsets.US_ASCII);
        byte[][] argv = {sh, "-c".getBytes(StandardCharsets.US_ASCII),
                ("echo child=$" + NAME + "; echo listen=$LISTEN_FDS").getBytes(StandardCharsets.US_ASCII)};
        Plan plan = Plan.of(List.of(new Plan.Mapping(0, 0, true), new Plan.Mapping(1, 1, true),
                new Plan.Mapping(2, 2, true)));
        NativeSpawn.Command c = new NativeSpawn.Command(new byte[][] {sh}, argv, null, null, false);
        NativeSpawn.Outcome o = switch (args[0]) {
            case "clone" -> NativeSpawn.spawn(c, plan, null);
            case "posix-spawn" -> NativeSpawn.posixSpawn(c, false, plan);
            case "posix-spawn-ffm" -> {
                System.setProperty(Settings.SPAWN_POSIX_SPAWN_BINDING, "ffm");
                yield NativeSpawn.posixSpawn(c, false, plan);
            }
            case "exec" -> NativeSpawn.execInPlace(c, plan, null);
            default -> throw new IllegalArgumentException(args[0]);
        };
        if (!o.started()) throw new IllegalStateException("spawn failed: " + o);
        int[] status = new int[3];
        int r = ProcessCalls.waitid(1 /* P_PID */, o.pid(), 4 /* WEXITED */, status);
        System.out.println("waited=" + r + " status=" + status[2]);
    }
}
