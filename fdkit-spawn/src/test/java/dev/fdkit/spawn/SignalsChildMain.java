package dev.fdkit.spawn;

import dev.fdkit.spawn.internal.NativeSpawn;

import java.nio.file.Files;
import java.nio.file.Path;

/** Run by {@link SignalsTest} in a JVM started with some signals ignored: what do its children start with? */
public final class SignalsChildMain {
    public static void main(String[] args) throws Exception {
        System.out.println("jvm " + sig("SigIgn") + " " + sig("SigCgt"));
        SpawnMechanism m = SpawnMechanism.valueOf(args[0]);
        Process p = new FdProcessBuilder("grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status").mechanism(m).start();
        System.out.print(new String(p.getInputStream().readAllBytes()));
        System.out.println("exit=" + p.waitFor());
        System.out.println("clone3=" + NativeSpawn.usesClone3());
    }

    private static String sig(String field) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(field + ":"))
                .findFirst().orElseThrow().replace("\t", "");
    }
}
