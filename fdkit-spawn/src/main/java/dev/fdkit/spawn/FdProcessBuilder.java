package dev.fdkit.spawn;

import dev.fdkit.spawn.internal.ChildEnvironment;
import dev.fdkit.spawn.internal.LowSlots;
import dev.fdkit.spawn.internal.Pipeline;
import dev.fdkit.spawn.internal.SpawnRequest;
import dev.fdkit.spawn.internal.Spawner;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Starts children that hold exactly the descriptors named, shaped like {@link ProcessBuilder} so code written
 * for it keeps working: {@link #start()} returns a {@link Process}.
 *
 * <p>What differs, and why it exists:
 * <ul>
 *   <li>The child gets stdin, stdout and stderr as redirected, the descriptors given to {@link #passFd} and
 *       {@link #listenFd}, and nothing else: every other descriptor of the JVM (its jars, sockets, epoll and
 *       pipe descriptors, and whatever other threads open meanwhile, close-on-exec or not) is closed in the
 *       child before exec. No option turns that off.</li>
 *   <li>The cost does not grow with the number of descriptors the JVM holds ({@link SpawnMechanism#CLONE}):
 *       ProcessBuilder closes every descriptor one by one in its child.</li>
 *   <li>{@link #passFd(int, int)} puts any parent descriptor at any number in the child; {@link #listenFd}
 *       does systemd socket activation (LISTEN_FDS, LISTEN_FDNAMES, LISTEN_PID).</li>
 *   <li>{@link #execInPlace()} replaces the JVM itself with the program, keeping the pid, like a shell's
 *       {@code exec}.</li>
 * </ul>
 *
 * <p>The child's exit is noticed through a pidfd by one shared thread, so {@link Process#onExit()} costs no
 * thread per child. Exit values are reported like the JDK's: the status, or 128 + the signal number.
 *
 * <p>A builder is not thread-safe; {@link #start()} may be called many times.
 *
 * <pre>{@code
 * ServerSocketChannel listener = ...;                // fd 57 in the JVM
 * Process p = new FdProcessBuilder("worker", "--serve")
 *         .passFd(57, 3)                              // the child finds the listener at fd 3
 *         .redirectOutput(ProcessBuilder.Redirect.INHERIT)
 *         .start();
 * }</pre>
 */
public final class FdProcessBuilder {
    private List<String> command;
    private ChildEnvironment environment;
    private File directory;
    private final Redirect[] redirects = {Redirect.PIPE, Redirect.PIPE, Redirect.PIPE};
    private boolean redirectErrorStream;
    /** child number -> parent number */
    private final TreeMap<Integer, Integer> passed = new TreeMap<>();
    private final List<SpawnRequest.ListenSpec> listen = new ArrayList<>();
    private SpawnMechanism mechanism;
    private long fdLimit = -1;

    /**
     * A builder for {@code command} (program and arguments); the program is searched in PATH like execvp.
     *
     * @param command the program and its arguments
     */
    public FdProcessBuilder(String... command) {
        this.command = new ArrayList<>(Arrays.asList(command));
    }

    /**
     * A builder for {@code command}; the list is used as it is, as ProcessBuilder does.
     *
     * @param command the program and its arguments (the builder keeps this list)
     */
    public FdProcessBuilder(List<String> command) {
        this.command = Objects.requireNonNull(command, "command");
    }

    /**
     * The command, modifiable.
     *
     * @return the command list itself
     */
    public List<String> command() {
        return command;
    }

    /**
     * Sets the command (program and arguments).
     *
     * @param command the program and its arguments
     * @return this builder
     */
    public FdProcessBuilder command(String... command) {
        this.command = new ArrayList<>(Arrays.asList(command));
        return this;
    }

    /**
     * Sets the command; the list is used as it is.
     *
     * @param command the program and its arguments
     * @return this builder
     */
    public FdProcessBuilder command(List<String> command) {
        this.command = Objects.requireNonNull(command, "command");
        return this;
    }

    /**
     * The child's environment, modifiable: a copy of {@link System#getenv()} made on the first call, which behaves
     * as ProcessBuilder's: a name with '=' or NUL, a value with NUL, and null are refused at {@code put}. Variables
     * left as they are reach the child byte for byte. Until this is called the child gets the process's environment
     * as it is when the child starts, as with ProcessBuilder. Either way LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES
     * reach the child only as {@link #listenFd} sets them.
     *
     * @return the child's environment, which this builder keeps and the caller may change
     */
    public Map<String, String> environment() {
        if (environment == null) environment = ChildEnvironment.ofJvm();
        return environment;
    }

    /**
     * The child's working directory; null (the default) means the JVM's.
     *
     * @return the directory, or null
     */
    public File directory() {
        return directory;
    }

    /**
     * Sets the child's working directory; null means the JVM's.
     *
     * @param directory the directory, or null
     * @return this builder
     */
    public FdProcessBuilder directory(File directory) {
        this.directory = directory;
        return this;
    }

    /**
     * stdin: PIPE (default), INHERIT, or a file to read ({@link Redirect#from(File)}).
     *
     * @param source where stdin comes from
     * @return this builder
     * @throws IllegalArgumentException if the redirect writes (WRITE or APPEND)
     */
    public FdProcessBuilder redirectInput(Redirect source) {
        Objects.requireNonNull(source, "source");
        if (source.type() == Redirect.Type.WRITE || source.type() == Redirect.Type.APPEND) {
            throw new IllegalArgumentException("Redirect invalid for reading: " + source);
        }
        redirects[0] = source;
        return this;
    }

    /**
     * stdout: PIPE (default), INHERIT, DISCARD, or a file to write or append to.
     *
     * @param destination where stdout goes
     * @return this builder
     * @throws IllegalArgumentException if the redirect reads (READ)
     */
    public FdProcessBuilder redirectOutput(Redirect destination) {
        redirects[1] = checkWritable(destination);
        return this;
    }

    /**
     * stderr: PIPE (default), INHERIT, DISCARD, or a file to write or append to.
     *
     * @param destination where stderr goes
     * @return this builder
     * @throws IllegalArgumentException if the redirect reads (READ)
     */
    public FdProcessBuilder redirectError(Redirect destination) {
        redirects[2] = checkWritable(destination);
        return this;
    }

    private static Redirect checkWritable(Redirect r) {
        Objects.requireNonNull(r, "destination");
        if (r.type() == Redirect.Type.READ) throw new IllegalArgumentException("Redirect invalid for writing: " + r);
        return r;
    }

    /**
     * stdin read from {@code file}.
     *
     * @param file the file
     * @return this builder
     */
    public FdProcessBuilder redirectInput(File file) {
        return redirectInput(Redirect.from(file));
    }

    /**
     * stdout written to {@code file}, truncated first.
     *
     * @param file the file
     * @return this builder
     */
    public FdProcessBuilder redirectOutput(File file) {
        return redirectOutput(Redirect.to(file));
    }

    /**
     * stderr written to {@code file}, truncated first.
     *
     * @param file the file
     * @return this builder
     */
    public FdProcessBuilder redirectError(File file) {
        return redirectError(Redirect.to(file));
    }

    /**
     * Where stdin comes from.
     *
     * @return the redirect (PIPE unless set)
     */
    public Redirect redirectInput() {
        return redirects[0];
    }

    /**
     * Where stdout goes.
     *
     * @return the redirect (PIPE unless set)
     */
    public Redirect redirectOutput() {
        return redirects[1];
    }

    /**
     * Where stderr goes.
     *
     * @return the redirect (PIPE unless set)
     */
    public Redirect redirectError() {
        return redirects[2];
    }

    /**
     * All three streams inherited from the JVM.
     *
     * @return this builder
     */
    public FdProcessBuilder inheritIO() {
        Arrays.fill(redirects, Redirect.INHERIT);
        return this;
    }

    /**
     * Whether stderr goes wherever stdout goes.
     *
     * @return true if it does (false unless set)
     */
    public boolean redirectErrorStream() {
        return redirectErrorStream;
    }

    /**
     * Whether stderr goes wherever stdout goes (then {@link Process#getErrorStream()} is empty).
     *
     * @param redirectErrorStream true to send stderr where stdout goes
     * @return this builder
     */
    public FdProcessBuilder redirectErrorStream(boolean redirectErrorStream) {
        this.redirectErrorStream = redirectErrorStream;
        return this;
    }

    /**
     * Gives the child the parent's descriptor {@code parentFd} at exactly {@code childFd}, with close-on-exec
     * cleared there only (the parent's flags do not change). Mappings may cross (5 -> 3 together with 3 -> 5)
     * and may target 0-2, which then overrides that stream's redirect (its {@link Process} stream is empty).
     * The same parent descriptor may go to several numbers.
     *
     * <p>Cost: the child's table copy spans up to its highest source, so a source above thousands of other open
     * descriptors costs about what they do, unless fdkit could borrow a low number for it (see
     * {@link #reserveLowDescriptors()}).
     *
     * @param parentFd the descriptor in this process
     * @param childFd  the number it gets in the child
     * @throws IllegalArgumentException if a number is negative or {@code childFd} is already given another
     *                                  descriptor (by passFd or listenFd)
     * @return this builder
     */
    public FdProcessBuilder passFd(int parentFd, int childFd) {
        if (parentFd < 0) throw new IllegalArgumentException("parentFd must be >= 0, was " + parentFd);
        if (childFd < 0) throw new IllegalArgumentException("childFd must be >= 0, was " + childFd);
        Integer already = passed.get(childFd);
        if (already != null && already != parentFd) {
            throw new IllegalArgumentException("child descriptor " + childFd + " is already given parent descriptor "
                    + already + "; cannot also give it " + parentFd);
        }
        int listenIndex = childFd - 3;
        if (listenIndex >= 0 && listenIndex < listen.size()) {
            throw new IllegalArgumentException("child descriptor " + childFd + " is already listen descriptor #"
                    + listenIndex + " (parent " + listen.get(listenIndex).fd() + ")");
        }
        passed.put(childFd, parentFd);
        return this;
    }

    /**
     * Gives the child the parent's descriptor {@code fd} at the same number.
     *
     * @param fd the descriptor, in this process and in the child
     * @return this builder
     */
    public FdProcessBuilder passFd(int fd) {
        return passFd(fd, fd);
    }

    /**
     * Socket activation: the next listen descriptor (3, then 4, ...) is the parent's {@code fd}, named
     * {@code name} in LISTEN_FDNAMES. The child also gets LISTEN_FDS and LISTEN_PID (its own pid, written by the
     * child itself, as sd_listen_fds(3) checks). Needs {@link SpawnMechanism#CLONE}.
     *
     * @param fd   the listening socket in this process
     * @param name its name in LISTEN_FDNAMES
     * @throws IllegalArgumentException if the number is taken by passFd, or the name is not a valid systemd name
     *                                  (no ':' nor control characters, at most 255 characters)
     * @return this builder
     */
    public FdProcessBuilder listenFd(int fd, String name) {
        if (fd < 0) throw new IllegalArgumentException("fd must be >= 0, was " + fd);
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > 255 || name.chars().anyMatch(c -> c == ':' || c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("invalid LISTEN_FDNAMES name \"" + name
                    + "\": 1-255 characters, no ':' and no control characters");
        }
        int childFd = 3 + listen.size();
        if (passed.containsKey(childFd)) {
            throw new IllegalArgumentException("listen descriptor #" + listen.size() + " would be child descriptor "
                    + childFd + ", already given parent descriptor " + passed.get(childFd) + " by passFd");
        }
        listen.add(new SpawnRequest.ListenSpec(fd, name));
        return this;
    }

    /**
     * Socket activation with each of {@code fds}, in order, named "unknown" as systemd does for unnamed ones.
     *
     * @param fds the listening sockets in this process
     * @return this builder
     */
    public FdProcessBuilder listenFds(int... fds) {
        for (int fd : fds) listenFd(fd, "unknown");
        return this;
    }

    /**
     * Forces a mechanism for this builder; null (the default) uses {@link SpawnMechanism#selected()}.
     *
     * @param mechanism the mechanism, or null for the selected one
     * @return this builder
     */
    public FdProcessBuilder mechanism(SpawnMechanism mechanism) {
        this.mechanism = mechanism;
        return this;
    }

    /**
     * The mechanism forced for this builder.
     *
     * @return the mechanism, or null when the selected one is used
     */
    public SpawnMechanism mechanism() {
        return mechanism;
    }

    /**
     * The child's soft RLIMIT_NOFILE (the hard limit stays). The JVM raises its own soft limit to the hard one at
     * startup and children inherit that; programs that use select(2) misbehave above 1024. Needs
     * {@link SpawnMechanism#CLONE}; -1 (the default) leaves the limit as the JVM's.
     *
     * @param soft the soft limit, or -1 to leave it as the JVM's
     * @return this builder
     * @throws IllegalArgumentException if soft &lt; -1
     */
    public FdProcessBuilder fdLimit(long soft) {
        if (soft < -1) throw new IllegalArgumentException("fdLimit must be >= 0 or -1, was " + soft);
        this.fdLimit = soft;
        return this;
    }

    /**
     * Reserves a few low descriptor numbers ({@code fdkit.spawn.lowSlots}, default 16) for the pipes and passed
     * descriptors of later children, so that a child's table copy stays small even when this JVM has thousands of
     * descriptors open by then. Call it once, early (at start-up, before opening many sockets); later calls do
     * nothing. Without it the first spawn that needs a low number reserves them, which helps only if low numbers
     * are still free then.
     */
    public static void reserveLowDescriptors() {
        LowSlots.reserveOnce();
    }

    /**
     * Starts the child.
     *
     * @throws IOException if it could not start, worded as ProcessBuilder's: "Cannot run program "prog" (in
     *                     directory "dir"): " and the cause's message, which is the JDK's ("Exec failed, error: 2
     *                     (No such file or directory) ", "FILE (Is a directory)") with fdkit's detail after it in
     *                     brackets. The cause is the failure: an {@link dev.fdkit.ErrnoException} or a
     *                     FileNotFoundException. Nothing is left behind: no descriptor, no zombie.
     * @throws NullPointerException if an element of the command is null
     * @throws IndexOutOfBoundsException if the command is empty (an ArrayIndexOutOfBoundsException, as the JDK's)
     * @throws UnsupportedOperationException if the mechanism cannot do what this builder asks
     * @return the process
     */
    public Process start() throws IOException {
        return Spawner.start(request());
    }

    /**
     * Replaces this JVM with the program, keeping the pid (exit status and signals become the program's), like a
     * shell's {@code exec}. Returns only by throwing.
     *
     * <p>The program and directory are checked first. Then a new thread, with every signal blocked, takes a private
     * copy of the descriptor table with close_range(CLOSE_RANGE_UNSHARE), places the passed descriptors, closes all
     * others, changes directory and execs: when exec succeeds the kernel ends every other thread, with no shutdown
     * hooks; when it fails only that thread's copy is lost and the JVM carries on. stdio PIPE means INHERIT here
     * (no parent remains to hold the other end). Signals the JVM handles start at their defaults in the program;
     * signals the JVM was started ignoring stay ignored, as with a shell.
     *
     * @throws IOException naming the program, directory or descriptor and the errno if it cannot be run
     */
    public void execInPlace() throws IOException {
        Spawner.execInPlace(request());
    }

    /**
     * Starts a child for each builder, each one's stdout piped into the next one's stdin, as
     * {@link ProcessBuilder#startPipeline(List)} does: the first builder's stdin and the last one's stdout are as they
     * redirect them; all other stdin and stdout redirects must be PIPE. The pipes between stages are the children's
     * alone, so the {@link Process} streams for them are null streams. Each builder's other settings (descriptors
     * passed, environment, directory, redirectErrorStream, mechanism) apply to its own stage. Unlike the JDK's, the
     * builders are not changed, so they can start another pipeline.
     *
     * @param builders the stages, in order, at least one
     * @return the processes, in the order of the builders (a new, modifiable list)
     * @throws IllegalArgumentException if a redirect between stages is not PIPE
     * @throws IOException if a stage cannot start; the stages already started are then killed and waited for
     * @throws NullPointerException if the list or one of its builders is null
     */
    public static List<Process> startPipeline(List<FdProcessBuilder> builders) throws IOException {
        List<Pipeline.Stage> stages = new ArrayList<>(builders.size());
        for (FdProcessBuilder b : builders) stages.add(b == null ? null : b.stage());
        return Pipeline.start(stages);
    }

    private Pipeline.Stage stage() {
        return new Pipeline.Stage() {
            @Override
            public Redirect redirectInput() {
                return redirects[0];
            }

            @Override
            public Redirect redirectOutput() {
                return redirects[1];
            }

            @Override
            public SpawnRequest request(int stdinFd, int stdoutFd) {
                TreeMap<Integer, Integer> withPipes = new TreeMap<>(passed);
                if (stdinFd >= 0) withPipes.put(0, stdinFd);
                if (stdoutFd >= 0) withPipes.put(1, stdoutFd);
                return FdProcessBuilder.this.request(withPipes);
            }
        };
    }

    private SpawnRequest request() {
        return request(new TreeMap<>(passed));
    }

    private SpawnRequest request(TreeMap<Integer, Integer> passedNow) {
        if (redirectErrorStream && passedNow.containsKey(2)) {
            throw new IllegalArgumentException("redirectErrorStream(true) and passFd(.., 2) both set child descriptor 2");
        }
        return new SpawnRequest(Arrays.asList(command.toArray(new String[0])), // nulls kept: start() reports them
                environment == null ? null : environment.copy(),
                directory, redirects[0], redirects[1], redirects[2], redirectErrorStream, passedNow,
                List.copyOf(listen), mechanism == null ? null : mechanism.implementation(), fdLimit);
    }
}
