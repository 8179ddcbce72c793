package dev.fdkit.spawn.conformance;

import dev.fdkit.spawn.FdProcessBuilder;

import java.util.HexFormat;
import java.util.Map;

/**
 * Run in a JVM started with FDKIT_RAW set to bytes that are not valid UTF-8: prints what a child sees of FDKIT_RAW,
 * as hex, with the JDK's builder and fdkit's, each with an untouched and a touched environment.
 */
public final class EnvironmentBytesMain {
    public static void main(String[] args) throws Exception {
        String script = "printf %s \"$FDKIT_RAW\"";
        ProcessBuilder jdk = new ProcessBuilder("sh", "-c", script);
        System.out.println("jdk-untouched=" + hex(jdk.start()));
        touch(jdk.environment());
        System.out.println("jdk-touched=" + hex(jdk.start()));
        FdProcessBuilder fd = new FdProcessBuilder("sh", "-c", script);
        System.out.println("fdkit-untouched=" + hex(fd.start()));
        touch(fd.environment());
        System.out.println("fdkit-touched=" + hex(fd.start()));
    }

    private static void touch(Map<String, String> env) {
        env.put("FDKIT_OTHER", "changed");
    }

    private static String hex(Process p) throws Exception {
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor();
        return HexFormat.of().formatHex(out);
    }
}
