package dev.fdkit.agent;

import java.util.List;

/**
 * One open descriptor and who opened it, as JMX shows it (each getter is an item of the CompositeData).
 *
 * <p>{@link #getOpenedBy()} is the JDK call that opened it ("Socket.connect"), or {@value #OUTSIDE_JAVA} with no
 * frames when no JDK call did (native code, the JVM itself, or before the agent started).
 */
public final class OpenDescriptor {
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

    public int getFd() {
        return fd;
    }

    /** What fdkit's listing calls it: file, pipe, tcp, ... */
    public String getKind() {
        return kind;
    }

    /** The path, or the socket's addresses and state. */
    public String getName() {
        return name;
    }

    public String getOpenedBy() {
        return openedBy;
    }

    /** The opening thread's name; empty when opened outside Java. */
    public String getThread() {
        return thread;
    }

    /** When it was opened (milliseconds since the epoch); 0 when opened outside Java. */
    public long getOpenedAtMillis() {
        return openedAtMillis;
    }

    /** The opening stack from the first frame outside the JDK, as StackTraceElement prints them. */
    public String[] getFrames() {
        return frames.toArray(String[]::new);
    }
}
