package dev.fdkit.spawn.internal;

import dev.fdkit.ErrnoException;
import dev.fdkit.internal.Environ;
import dev.fdkit.internal.Errno;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.FileCalls;
import dev.fdkit.internal.ProcessCalls;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Turns a {@link SpawnRequest} into a running child (or an exec in place), with every resource accounted for. */
public final class Spawner {
    private Spawner() {}

    /** execvp's search path when PATH is unset (glibc's _CS_PATH). */
    private static final String DEFAULT_PATH = "/bin:/usr/bin";

    static final Charset JNU = jnuCharset();

    private static Charset jnuCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /** Descriptors a spawn opens or borrows, released in one place whatever happens. */
    private static final class Resources {
        final List<Integer> closeAfter = new ArrayList<>();
        final List<Integer> borrowed = new ArrayList<>();
        final int[] parentEnds = {-1, -1, -1};
        LowSlots slots;
        boolean started;

        void release() {
            for (int slot : borrowed) slots.giveBack(slot);
            for (int fd : closeAfter) FdCalls.close(fd);
            if (!started) {
                for (int fd : parentEnds) if (fd >= 0) FdCalls.close(fd);
            }
        }
    }

    // ---------------------------------------------------------------- spawn

    /**
     * Starts the child. Arguments are checked in the JDK's order with the JDK's exceptions; every failure after
     * them is an IOException "Cannot run program ..." whose cause is the failure itself, as ProcessBuilder's.
     */
    public static Process start(SpawnRequest r) throws IOException {
        checkCommand(r.command());
        Mechanism mech = r.mechanism() != null ? r.mechanism() : Mechanisms.selectedForStart();
        Optional<String> problem = Mechanisms.problem(mech);
        if (problem.isPresent()) {
            throw new IOException("spawn mechanism " + mech.settingValue() + " is not available here: " + problem.get());
        }
        if (mech == Mechanism.POSIX_SPAWN) {
            if (!r.listen().isEmpty()) {
                throw new UnsupportedOperationException("posix-spawn cannot set LISTEN_PID to the child's own pid (it "
                        + "is known only in the child); use SpawnMechanism.CLONE for listenFds");
            }
            if (r.fdLimit() >= 0) {
                throw new UnsupportedOperationException("posix-spawn cannot set the child's RLIMIT_NOFILE; use "
                        + "SpawnMechanism.CLONE for fdLimit");
            }
        }
        try {
            Process p = spawn(r, mech);
            StartTrace.record(r, p, mech);
            return p;
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(prefix(r) + e.getMessage(), e);
        }
    }

    /** As ProcessBuilder.start checks the command before anything else. */
    private static void checkCommand(List<String> command) throws IOException {
        String[] cmd = command.toArray(new String[0]);
        for (String arg : cmd) Objects.requireNonNull(arg);
        // An empty command: the JDK's cmdarray[0] fails; thrown explicitly, as an implicit one loses its message
        // once the JIT compiles this hot method with preallocated exceptions (OmitStackTraceInFastThrow).
        if (cmd.length == 0) throw new ArrayIndexOutOfBoundsException("Index 0 out of bounds for length 0");
        for (String arg : cmd) {
            if (arg.indexOf('\0') >= 0) throw new IOException("invalid null character in command");
        }
    }

    private static Process spawn(SpawnRequest r, Mechanism mech) throws IOException {
        Encoded cmd = encode(r);
        Resources res = new Resources();
        try {
            List<Plan.Mapping> original = mappings(r, res, false, mech == Mechanism.CLONE);
            List<Plan.Mapping> lowered = original;
            if (mech == Mechanism.CLONE) {
                res.slots = LowSlots.get();
                lowered = lower(original, res);
            }
            Plan plan = Plan.of(lowered);
            NativeSpawn.Outcome o;
            if (mech == Mechanism.CLONE) {
                o = NativeSpawn.spawn(new NativeSpawn.Command(cmd.paths, cmd.argv, cmd.envp, cmd.dir, !r.listen().isEmpty()),
                        plan, nofile(r));
            } else {
                String prog = r.command().getFirst();
                o = NativeSpawn.posixSpawn(new NativeSpawn.Command(new byte[][] {prog.getBytes(JNU)}, cmd.argv, cmd.envp,
                        cmd.dir, false), !prog.contains("/"), plan);
                String script = o.step() == SpawnAbi.STEP_EXEC && o.errno() == ENOEXEC ? scriptFor(r, cmd) : null;
                if (script != null) { // as execvp does, and posix_spawn no longer: a file without #! runs in /bin/sh
                    o = NativeSpawn.posixSpawn(new NativeSpawn.Command(new byte[][] {BIN_SH.getBytes(JNU)},
                            shellArgv(script, cmd.argv), cmd.envp, cmd.dir, false), false, plan);
                }
            }
            if (!o.started()) throw failure(o, r, mech, original, cmd);
            int pidfd = o.pidfd();
            if (pidfd < 0) pidfd = Math.max(-1, ProcessCalls.pidfdOpen(o.pid(), 0)); // posix_spawn gives no pidfd
            FdProcess p = new FdProcess(o.pid(), pidfd,
                    res.parentEnds[0] < 0 ? null : new PipeOutputStream(res.parentEnds[0], "stdin of " + o.pid()),
                    res.parentEnds[1] < 0 ? null : new PipeInputStream(res.parentEnds[1], "stdout of " + o.pid()),
                    res.parentEnds[2] < 0 ? null : new PipeInputStream(res.parentEnds[2], "stderr of " + o.pid()),
                    r.redirectErrorStream() && r.stdout().type() == Redirect.Type.PIPE && !r.passed().containsKey(2));
            res.started = true;
            p.watch();
            return p;
        } finally {
            res.release();
        }
    }

    // ---------------------------------------------------------------- exec in place

    /** Replaces the JVM with the program; returns only by throwing. */
    public static void execInPlace(SpawnRequest r) throws IOException {
        checkCommand(r.command());
        if (NativeSpawn.loadError().isPresent()) {
            throw new IOException("exec in place needs fdkit-spawn's helper library: " + NativeSpawn.loadError().get());
        }
        try {
            replaceJvm(r);
        } catch (ErrnoException e) { // fdkit's own call: its exception type stays, so a caller can read the errno
            throw new WordedErrnoException(e.errno(), prefix(r) + e.getMessage());
        }
    }

    private static void replaceJvm(SpawnRequest r) throws IOException {
        Encoded cmd = encode(r);
        String program = resolveForExec(r, cmd);
        Resources res = new Resources();
        try {
            List<Plan.Mapping> maps = mappings(r, res, true, true);
            Plan plan = Plan.of(maps);
            System.out.flush();
            System.err.flush();
            byte[][] path = {program.getBytes(JNU)};
            NativeSpawn.Outcome o = NativeSpawn.execInPlace(
                    new NativeSpawn.Command(path, cmd.argv, cmd.envp, cmd.dir, !r.listen().isEmpty()), plan, nofile(r));
            throw failure(o, r, Mechanism.CLONE, maps, new Encoded(path, cmd.argv, cmd.envp, cmd.dir, List.of(program)));
        } finally {
            res.release();
        }
    }

    /**
     * The file exec-in-place will run, and its directory, checked first: the usual mistakes then fail here with a
     * clear message, before a thread rearranges anything (a failure there still leaves the JVM as it was).
     */
    private static String resolveForExec(SpawnRequest r, Encoded cmd) throws IOException {
        File dir = r.directory();
        if (dir != null) {
            Path d = dir.toPath();
            if (!Files.isDirectory(d)) {
                throw execFailure(Files.exists(d) ? Errno.ENOTDIR : Errno.ENOENT, "chdir(\"" + dir + "\")");
            }
            int a = FileCalls.faccessat(FileCalls.AT_FDCWD, d.toString(), FileCalls.X_OK, FileCalls.AT_EACCESS);
            if (a < 0) throw execFailure(-a, "chdir(\"" + dir + "\")");
        }
        int err = Errno.ENOENT;
        for (String candidate : cmd.candidates) {
            Path p = Path.of(candidate);
            if (dir != null && !p.isAbsolute()) p = dir.toPath().resolve(p);
            if (Files.isDirectory(p)) {
                err = Errno.EACCES;
                continue;
            }
            int a = FileCalls.faccessat(FileCalls.AT_FDCWD, p.toString(), FileCalls.X_OK, FileCalls.AT_EACCESS);
            if (a == 0) return candidate;
            if (a == -Errno.EACCES) err = Errno.EACCES;
        }
        throw execFailure(err, cmd.candidates.size() == 1 ? "execve(\"" + cmd.candidates.getFirst() + "\")"
                : "execvp search of PATH");
    }

    // ---------------------------------------------------------------- descriptors

    /**
     * stdio by the redirects (a passFd onto 0-2 wins), then listen descriptors from 3, then passed descriptors.
     * {@code helperSkipsAbsent}: the clone helper runs the plan, leaving an absent optional source's destination
     * closed by itself.
     */
    private static List<Plan.Mapping> mappings(SpawnRequest r, Resources res, boolean inPlace,
                                               boolean helperSkipsAbsent) throws IOException {
        Plan.Mapping[] std = new Plan.Mapping[3];
        Redirect[] redirects = {r.stdin(), r.stdout(), r.stderr()};
        for (int i = 0; i < 3; i++) {
            Integer passed = r.passed().get(i);
            if (passed != null) {
                std[i] = new Plan.Mapping(passed, i, false);
            } else if (i == 2 && r.redirectErrorStream()) {
                // The JDK opens (creates, truncates) a redirectError file even so, and fails if it cannot.
                if (redirects[2].file() != null) stdio(2, redirects[2], res, inPlace, r);
                std[2] = new Plan.Mapping(std[1].src(), 2, std[1].optional());
            } else {
                std[i] = stdio(i, redirects[i], res, inPlace, r);
            }
        }
        List<Plan.Mapping> out = new ArrayList<>(List.of(std));
        for (int i = 0; i < r.listen().size(); i++) out.add(new Plan.Mapping(r.listen().get(i).fd(), 3 + i, false));
        for (Map.Entry<Integer, Integer> e : r.passed().entrySet()) {
            if (e.getKey() > 2) out.add(new Plan.Mapping(e.getValue(), e.getKey(), false));
        }
        // Named descriptors are checked here, for a clear error before anything starts. Inherited stdio the JVM
        // lacks stays closed in the child: the clone helper sees to that itself (MAP_OPTIONAL), at no cost per
        // spawn; posix_spawn's file actions cannot, so for it such a mapping is left out here.
        List<Plan.Mapping> checked = new ArrayList<>(out.size());
        for (Plan.Mapping m : out) {
            boolean check = m.src() >= 0 && (!m.optional() || !helperSkipsAbsent);
            if (check && FdCalls.fcntl(m.src(), FdCalls.F_GETFD, 0) < 0) {
                if (m.optional()) continue;
                throw new ErrnoException("parent descriptor " + m.src() + " for child descriptor " + m.dst(),
                        Errno.EBADF);
            }
            checked.add(m);
        }
        return checked;
    }

    private static Plan.Mapping stdio(int i, Redirect red, Resources res, boolean inPlace, SpawnRequest r)
            throws IOException {
        String which = i == 0 ? "stdin" : i == 1 ? "stdout" : "stderr";
        switch (red.type()) {
            case PIPE -> {
                if (inPlace) return new Plan.Mapping(i, i, true); // no parent stays to hold the other end
                int[] err = new int[1];
                int[] pipe = FdCalls.pipe2(FdCalls.O_CLOEXEC, err);
                if (pipe == null) throw new ErrnoException("pipe2 for " + which, err[0]);
                int childEnd = i == 0 ? pipe[0] : pipe[1];
                res.closeAfter.add(childEnd);
                res.parentEnds[i] = i == 0 ? pipe[1] : pipe[0];
                return new Plan.Mapping(childEnd, i, false);
            }
            case INHERIT -> {
                return new Plan.Mapping(i, i, true);
            }
            case READ, WRITE, APPEND -> {
                File f = red.file();
                if (red.type() == Redirect.Type.WRITE && f.getPath().equals("/dev/null")) {
                    return new Plan.Mapping(NativeSpawn.SRC_DEVNULL, i, false); // DISCARD: the child opens it
                }
                int flags = switch (red.type()) {
                    case READ -> FdCalls.O_RDONLY;
                    case WRITE -> FdCalls.O_WRONLY | FdCalls.O_CREAT | FdCalls.O_TRUNC;
                    default -> FdCalls.O_WRONLY | FdCalls.O_CREAT | FdCalls.O_APPEND;
                };
                int fd = FdCalls.open(f.getPath(), flags | FdCalls.O_CLOEXEC, 0666);
                if (fd >= 0) res.closeAfter.add(fd);
                // As FileInputStream refuses a directory after opening it; the message is FileNotFoundException's.
                if (fd >= 0 && red.type() == Redirect.Type.READ && Files.isDirectory(f.toPath())) fd = -EISDIR;
                if (fd < 0) {
                    throw new FileNotFoundException(f.getPath() + " (" + Errno.description(-fd) + ") [" + which + ": "
                            + Errno.name(-fd) + "]");
                }
                return new Plan.Mapping(fd, i, false);
            }
            default -> throw new IllegalArgumentException("unknown redirect " + red);
        }
    }

    /** Moves high sources onto reserved low numbers for the spawn (see {@link LowSlots}). */
    private static List<Plan.Mapping> lower(List<Plan.Mapping> maps, Resources res) {
        Map<Integer, Integer> moved = new HashMap<>();
        List<Plan.Mapping> out = new ArrayList<>(maps.size());
        for (Plan.Mapping m : maps) {
            int src = m.src();
            if (src > 2) {
                Integer slot = moved.get(src);
                if (slot == null) {
                    int s = res.slots.borrow(src);
                    if (s >= 0) res.borrowed.add(s);
                    slot = s >= 0 ? s : src;
                    moved.put(src, slot);
                }
                src = slot;
            }
            out.add(new Plan.Mapping(src, m.dst(), m.optional()));
        }
        return out;
    }

    private static long[] nofile(SpawnRequest r) {
        if (r.fdLimit() < 0) return null;
        long hard = ProcessCalls.getrlimitNofile()[1];
        if (hard >= 0 && Long.compareUnsigned(r.fdLimit(), hard) > 0) {
            throw new IllegalArgumentException("fdLimit " + r.fdLimit() + " is above the hard RLIMIT_NOFILE " + hard);
        }
        return new long[] {r.fdLimit(), hard};
    }

    // ---------------------------------------------------------------- strings

    private record Encoded(byte[][] paths, byte[][] argv, byte[][] envp, byte[] dir, List<String> candidates) {}

    private static Encoded encode(SpawnRequest r) throws IOException {
        List<String> command = r.command();
        byte[][] argv = new byte[command.size()][];
        for (int i = 0; i < argv.length; i++) {
            String arg = command.get(i);
            argv[i] = arg.indexOf('\0') < 0 ? arg.getBytes(JNU) : bytes(arg, "command[" + i + "]"); // the latter throws
        }
        String prog = command.getFirst();
        if (prog.isEmpty()) throw execFailure(Errno.ENOENT, "empty program name");
        List<String> candidates = candidates(prog);
        byte[][] paths = new byte[candidates.size()][];
        for (int i = 0; i < paths.length; i++) paths[i] = candidates.get(i).getBytes(JNU);

        byte[][] envp = environment(r);
        byte[] dir = r.directory() == null ? null : bytes(r.directory().getPath(), "directory");
        return new Encoded(paths, argv, envp, dir, candidates);
    }

    /**
     * The child's environment: the caller's map, or else this process's environ as it is at the spawn (variables
     * native code set with setenv(3) included, as the JDK's child gets them), each untouched variable in its own
     * bytes. Socket-activation variables reach the child only when they describe its descriptors. Null for an
     * untouched environment without listen descriptors: the helper then reads environ itself, leaving out those
     * variables, so the usual spawn copies no environment at all.
     */
    private static byte[][] environment(SpawnRequest r) {
        if (r.environment() == null && r.listen().isEmpty()) return null;
        byte[][] base = r.environment() != null ? r.environment().entries(LISTEN_VARS)
                : Environ.currentWithout(LISTEN_VARS);
        if (r.listen().isEmpty()) return base;
        StringBuilder names = new StringBuilder();
        for (SpawnRequest.ListenSpec l : r.listen()) names.append(names.isEmpty() ? "" : ":").append(l.name());
        byte[][] out = Arrays.copyOf(base, base.length + 2); // LISTEN_PID: the child writes its own
        out[base.length] = ("LISTEN_FDS=" + r.listen().size()).getBytes(JNU);
        out[base.length + 1] = ("LISTEN_FDNAMES=" + names).getBytes(JNU);
        return out;
    }

    /** Socket-activation variables of this process: they describe its descriptors, not a child's. */
    static final Set<String> LISTEN_VARS = Set.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES");

    private static byte[] bytes(String s, String what) {
        if (s.indexOf('\0') >= 0) throw new IllegalArgumentException(what + " contains a NUL character");
        return s.getBytes(JNU);
    }

    private static String pathEnv() {
        String p = System.getenv("PATH");
        return p == null ? DEFAULT_PATH : p;
    }

    /** The files execvp would try, in order: the name itself when it has a slash, else each PATH entry. */
    static List<String> candidates(String prog) {
        if (prog.contains("/")) return List.of(prog);
        List<String> out = new ArrayList<>();
        for (String dir : pathEnv().split(":", -1)) {
            out.add(dir.isEmpty() ? prog : dir.endsWith("/") ? dir + prog : dir + "/" + prog);
        }
        return out;
    }

    // ---------------------------------------------------------------- errors

    private static String prefix(SpawnRequest r) {
        String prog = r.command().isEmpty() ? "" : r.command().getFirst();
        return "Cannot run program \"" + prog + "\""
                + (r.directory() == null ? "" : " (in directory \"" + r.directory() + "\")") + ": ";
    }

    /**
     * A failure of the child before or at exec, worded as the JDK's (its launcher reports every such step as
     * "Exec failed"), with what fdkit knows after it: the step and the errno's name.
     */
    private static ErrnoException execFailure(int errno, String step) {
        return new WordedErrnoException(errno, "Exec failed, error: " + errno + " (" + Errno.description(errno)
                + ") [" + step + ": " + Errno.name(errno) + "]");
    }

    /** An ErrnoException whose message is worded here in full (the JDK's wording, or with a prefix). */
    private static final class WordedErrnoException extends ErrnoException {
        private static final long serialVersionUID = 1L;

        WordedErrnoException(int errno, String message) {
            super(errno, message);
        }
    }

    /** The file a PATH search reached that exec refused as not a binary nor a #! script, or null. */
    private static String scriptFor(SpawnRequest r, Encoded cmd) {
        for (String candidate : cmd.candidates) {
            Path p = Path.of(candidate);
            if (r.directory() != null && !p.isAbsolute()) p = r.directory().toPath().resolve(p);
            if (Files.isRegularFile(p) && FileCalls.faccessat(FileCalls.AT_FDCWD, p.toString(), FileCalls.X_OK, FileCalls.AT_EACCESS) == 0) {
                return candidate;
            }
        }
        return null;
    }

    /** execvp's way to run a script without #!: {@code /bin/sh file args...}. */
    private static byte[][] shellArgv(String script, byte[][] argv) {
        byte[][] out = new byte[argv.length + 1][];
        out[0] = BIN_SH.getBytes(JNU);
        out[1] = script.getBytes(JNU);
        System.arraycopy(argv, 1, out, 2, argv.length - 1);
        return out;
    }

    private static final String BIN_SH = "/bin/sh";
    private static final int ENOEXEC = 8, EISDIR = 21;

    private static IOException failure(NativeSpawn.Outcome o, SpawnRequest r, Mechanism mech,
                                       List<Plan.Mapping> maps, Encoded cmd) {
        String what = switch (o.step()) {
            case SpawnAbi.STEP_STACK -> "mmap of the child's stack";
            case SpawnAbi.STEP_CLONE -> "clone";
            case SpawnAbi.STEP_UNSHARE -> "a private descriptor table for the child (close_range(" + o.arg()
                    + ", ~0U, CLOSE_RANGE_UNSHARE), else unshare(CLONE_FILES))";
            case SpawnAbi.STEP_MOVE, SpawnAbi.STEP_PLACE -> {
                Plan.Mapping m = maps.get(o.arg());
                yield m.src() == NativeSpawn.SRC_DEVNULL ? "/dev/null for child descriptor " + m.dst()
                        : "parent descriptor " + m.src() + " for child descriptor " + m.dst();
            }
            case SpawnAbi.STEP_DEVNULL -> "open(\"/dev/null\") in the child";
            case SpawnAbi.STEP_CHDIR -> "chdir(\"" + r.directory() + "\")";
            case SpawnAbi.STEP_RLIMIT -> mech == Mechanism.POSIX_SPAWN
                    ? "descriptor " + o.arg() + " for the child: posix_spawn's file actions accept only numbers below "
                    + "the soft RLIMIT_NOFILE (" + ProcessCalls.getrlimitNofile()[0] + "); the clone mechanism raises the "
                    + "child's limit to place it"
                    : "setrlimit(RLIMIT_NOFILE, " + r.fdLimit() + ") in the child";
            case SpawnAbi.STEP_THREAD -> "starting the exec thread";
            case SpawnAbi.STEP_FILE_ACTIONS -> switch (o.arg()) {
                case 1 -> "posix_spawn_file_actions_addclosefrom_np is missing (glibc < 2.34): other descriptors "
                        + "could reach the child";
                case 2 -> "posix_spawn_file_actions_addchdir_np is missing (glibc < 2.29): cannot change directory";
                default -> "posix_spawn file actions";
            };
            case SpawnAbi.STEP_EXEC -> {
                if (mech == Mechanism.POSIX_SPAWN && dirMissing(r)) yield "chdir(\"" + r.directory() + "\")";
                yield cmd.candidates.size() == 1 ? "execve(\"" + cmd.candidates.getFirst() + "\")"
                        : (mech == Mechanism.POSIX_SPAWN ? "posix_spawnp" : "execvp") + " search of PATH";
            }
            default -> "spawn step " + o.step();
        };
        return execFailure(o.errno() > 0 ? o.errno() : Errno.EINVAL, what);
    }

    /** posix_spawn reports one errno for every file action: tell a missing directory apart. */
    private static boolean dirMissing(SpawnRequest r) {
        return r.directory() != null && !r.directory().isDirectory();
    }
}
