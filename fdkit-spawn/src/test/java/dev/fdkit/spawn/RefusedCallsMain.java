package dev.fdkit.spawn;

import dev.fdkit.spawn.internal.NativeSpawn;

import java.util.Map;

/**
 * Run by {@link RefusedCallsTest} in a JVM under a seccomp filter: with 20 extra descriptors open (not
 * close-on-exec), starts a child by each mechanism passing one of them as 7 and prints what the child holds.
 */
public final class RefusedCallsMain {
    public static void main(String[] args) throws Exception {
        int[] extra = TestSupport.openDevNull(20);
        System.out.println("clone3=" + NativeSpawn.usesClone3());
        System.out.println("selected=" + SpawnMechanism.selected());
        for (SpawnMechanism m : SpawnMechanism.values()) {
            try {
                Map<Integer, String> fds = TestSupport.childFdTargets(
                        new FdProcessBuilder().mechanism(m).passFd(extra[10], 7));
                System.out.println(m + "=" + fds.keySet());
            } catch (Exception e) {
                System.out.println(m + "=" + e);
            }
        }
        TestSupport.closeAll(extra);
    }
}
