package dev.fdkit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The native files the build puts into this jar for the build machine's architecture (src/main/c/build.sh), under
 * {@code native/linux-<os.arch>/}: the C anchor program and its library.
 */
final class ShippedNative {
    private ShippedNative() {}

    private static String resource(String name) {
        return "native/linux-" + System.getProperty("os.arch") + "/" + name;
    }

    /** Whether this jar carries {@code name} for this machine's architecture. */
    static boolean shipped(String name) {
        return ShippedNative.class.getResource(resource(name)) != null;
    }

    /**
     * Copies {@code name} out of the jar into a new temporary file only its owner may read, write and run; the
     * caller deletes it once started or loaded (the process or mapping keeps the image).
     */
    static Path copyOut(String name) throws IOException {
        Path file = Files.createTempFile(name.replace(".so", "") + "-", name.endsWith(".so") ? ".so" : "",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            // Written into the file just created, which keeps its owner-only rwx (Files.copy would replace it).
            try (InputStream in = ShippedNative.class.getResourceAsStream(resource(name));
                 OutputStream to = Files.newOutputStream(file)) {
                if (in == null) throw new IOException("this jar has no " + name + " for " + System.getProperty("os.arch"));
                in.transferTo(to);
            }
            return file;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }
}
