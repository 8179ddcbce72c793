package dev.fdkit.spawn;

import dev.fdkit.Fds;

/**
 * Run by {@link LowDescriptorsTest} in a fresh JVM: how many descriptors are open before and after asking for the
 * selected mechanism, and after reserving low descriptors.
 */
public final class LowDescriptorsChildMain {
    public static void main(String[] args) throws Exception {
        int[] warm = Fds.numbers(); // the listing's own first-use descriptors are not counted below
        // Loading the spawn helper writes a temporary file, whose name comes from SecureRandom: the JDK keeps
        // /dev/random and /dev/urandom open from its first use on. Not fdkit's doing, so done before counting.
        new java.security.SecureRandom().nextInt();
        System.out.println("start=" + Fds.numbers().length);
        System.out.println("mechanism=" + SpawnMechanism.selected().propertyValue());
        System.out.println("after_selected=" + Fds.numbers().length);
        FdProcessBuilder.reserveLowDescriptors();
        System.out.println("after_reserve=" + Fds.numbers().length);
        FdProcessBuilder.reserveLowDescriptors();
        System.out.println("after_second_reserve=" + Fds.numbers().length + " warm=" + warm.length);
    }
}
