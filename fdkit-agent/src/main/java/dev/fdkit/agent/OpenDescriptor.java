package dev.fdkit.agent;

import java.util.List;

/**
 * One open descriptor and who opened it, as JMX shows it (each getter is an item of the CompositeData).
 *
 * <p>{@link #getOpenedBy()} is the JDK call that opened it ("Socket.connect"), or {@value #OUTSIDE_JAVA} with no
 * frames when no JDK call did (native code, the JVM itself, or before the agent started).
 */
public final class OpenDescriptor {
    /** What {@link #getOpenedBy()} says of a descriptor no JDK call opened. */
    public static final String OUTSIDE_JAVA = "opened outside Java";

    private final int fd;
    private final String kind;
    private final String name;
    private final String openedBy;
    private final String thread;
    private final long openedAtMillis;
    private final List<String> frames;

    OpenDescriptor(int fd, String kind, String name, String openedBy, String thread, long openedAtMillis,
                   List<String> frames) {
        this.fd = fd;
        this.kind = kind;
        this.name = name;
        this.openedBy = openedBy;
        this.thread = thread;
        this.openedAtMillis = openedAtMillis;
        this.frames = List.copyOf(frames);
    }

    /**
     * The descriptor number.
     *
     * @return the number
     */
    public int getFd() {
        return fd;
    }

    /**
     * What fdkit's listing calls it: file, pipe, tcp, ...
     *
     * @return the kind
     */
    public String getKind() {
        return kind;
    }

    /**
     * The path, or the socket's addresses and state.
     *
     * @return the name
     */
    public String getName() {
        return name;
    }

    /**
     * The JDK call that opened it, e.g. "Socket.connect", or {@value #OUTSIDE_JAVA}.
     *
     * @return the call
     */
    public String getOpenedBy() {
        return openedBy;
    }

    /**
     * The opening thread's name; empty when opened outside Java.
     *
     * @return the name, or empty
     */
    public String getThread() {
        return thread;
    }

    /**
     * When it was opened (milliseconds since the epoch); 0 when opened outside Java.
     *
     * @return the time, or 0
     */
    public long getOpenedAtMillis() {
        return openedAtMillis;
    }

    /**
     * The opening stack from the first frame outside the JDK, as StackTraceElement prints them.
     *
     * @return the frames, outermost last
     */
    public String[] getFrames() {
        return frames.toArray(String[]::new);
    }
}
