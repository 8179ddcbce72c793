package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Errno;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.FileCalls;
import dev.fdkit.internal.Settings;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps the helper library shipped in the jar. dlopen needs a file on a filesystem that allows executable mappings,
 * so this tries, in order: a private temporary file in {@code fdkit.spawn.libdir} (default {@code java.io.tmpdir}),
 * an anonymous memory file (memfd_create, opened as /proc/self/fd/N), and a private temporary file under the
 * user's cache directory ({@code $XDG_CACHE_HOME/fdkit}, else {@code ~/.cache/fdkit}). Each file is deleted right
 * after loading: the mapping outlives the name. One log line says when the first way did not work.
 */
final class HelperLibrary {
    private HelperLibrary() {}

    static SymbolLookup load() throws IOException {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            throw new IOException("fdkit-spawn's helper is built for Linux only, not " + System.getProperty("os.name"));
        }
        String arch = System.getProperty("os.arch");
        String resource = "/dev/fdkit/spawn/native/linux-" + arch + "/libfdkitspawn.so";
        byte[] lib;
        try (InputStream in = HelperLibrary.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("no spawn helper for linux-" + arch + " in the jar (" + resource + ")");
            lib = in.readAllBytes();
        }
        Path dir = Path.of(Settings.text(Settings.SPAWN_LIBDIR, System.getProperty("java.io.tmpdir")));
        List<String> failed = new ArrayList<>();
        try {
            return fromDirectory(dir, lib);
        } catch (IOException e) {
            failed.add(e.getMessage());
        }
        try {
            return logged(fromMemoryFile(lib), "an anonymous memory file", failed);
        } catch (IOException e) {
            failed.add(e.getMessage());
        }
        Path cache = cacheDirectory();
        try {
            return logged(fromDirectory(Files.createDirectories(cache, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------"))), lib), cache.toString(), failed);
        } catch (IOException e) {
            failed.add(e.getMessage());
        }
        throw new IOException("cannot load fdkit-spawn's helper library: " + String.join("; ", failed)
                + "; point -D" + Settings.SPAWN_LIBDIR + " at a directory that allows executable mappings");
    }

    private static SymbolLookup logged(SymbolLookup lookup, String where, List<String> failed) {
        // The logger only when there is something to say: finding its backend scans every jar of the class path,
        // and the JDK keeps each jar it opened open.
        System.getLogger("dev.fdkit.spawn").log(System.Logger.Level.INFO, "fdkit-spawn loaded its helper library from " + where + " ("
                + String.join("; ", failed) + ")");
        return lookup;
    }

    private static SymbolLookup fromDirectory(Path dir, byte[] lib) throws IOException {
        Path file;
        try {
            file = Files.createTempFile(dir, "fdkitspawn-", ".so",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException | UnsupportedOperationException e) {
            throw new IOException("cannot create a file in " + dir + ": " + e, e);
        }
        try {
            Files.write(file, lib);
            return SymbolLookup.libraryLookup(file, Arena.global());
        } catch (IllegalArgumentException e) { // dlopen failed: a noexec mount
            throw new IOException("cannot map " + file + " (" + e.getMessage() + "; mounted noexec?)", e);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static SymbolLookup fromMemoryFile(byte[] lib) throws IOException {
        int fd = memoryFile("fdkitspawn");
        Path name = Path.of("/proc/self/fd/" + fd);
        try {
            Files.write(name, lib);
            // By name, not Path: the Path form resolves the link to "/memfd:... (deleted)", which dlopen cannot open.
            return SymbolLookup.libraryLookup(name.toString(), Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot map the memory file " + name + " (" + e.getMessage() + ")", e);
        } finally {
            FdCalls.close(fd);
        }
    }

    /** A close-on-exec memory file that allows executable mappings (MFD_EXEC where the kernel knows it). */
    private static int memoryFile(String name) throws IOException {
        int fd = FileCalls.memfdCreate(name, FileCalls.MFD_CLOEXEC | FileCalls.MFD_EXEC);
        if (fd == -Errno.EINVAL) fd = FileCalls.memfdCreate(name, FileCalls.MFD_CLOEXEC); // before Linux 6.3
        if (fd < 0) throw new IOException("memfd_create: " + Errno.describe(-fd));
        return fd;
    }

    private static Path cacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        return xdg != null && xdg.startsWith("/") ? Path.of(xdg, "fdkit")
                : Path.of(System.getProperty("user.home"), ".cache", "fdkit");
    }
}
