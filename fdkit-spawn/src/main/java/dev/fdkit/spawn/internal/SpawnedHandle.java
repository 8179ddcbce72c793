package dev.fdkit.spawn.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The {@link ProcessHandle} of a child fdkit started. Exit, liveness and signals go through the child's pidfd
 * and fdkit's reaper, so they can never reach another process that later got the same pid. Questions the JDK
 * answers from /proc (info, parent, children) are delegated while the child is alive.
 */
final class SpawnedHandle implements ProcessHandle {
    private final FdProcess process;

    SpawnedHandle(FdProcess process) {
        this.process = process;
    }

    private Optional<ProcessHandle> live() {
        return process.isAlive() ? ProcessHandle.of(process.pid()) : Optional.empty();
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public Optional<ProcessHandle> parent() {
        return live().flatMap(ProcessHandle::parent);
    }

    @Override
    public Stream<ProcessHandle> children() {
        return live().map(ProcessHandle::children).orElseGet(Stream::empty);
    }

    @Override
    public Stream<ProcessHandle> descendants() {
        return live().map(ProcessHandle::descendants).orElseGet(Stream::empty);
    }

    @Override
    public Info info() {
        return live().map(ProcessHandle::info).orElse(EMPTY_INFO);
    }

    @Override
    public CompletableFuture<ProcessHandle> onExit() {
        return process.onExit().thenApply(p -> this);
    }

    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    @Override
    public boolean destroy() {
        return process.signal(dev.fdkit.internal.ProcessCalls.SIGTERM);
    }

    @Override
    public boolean destroyForcibly() {
        return process.signal(dev.fdkit.internal.ProcessCalls.SIGKILL);
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public int compareTo(ProcessHandle other) {
        return Long.compare(pid(), other.pid());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpawnedHandle h && h.process == process;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(pid());
    }

    @Override
    public String toString() {
        return Long.toString(pid());
    }

    private static final Info EMPTY_INFO = new Info() {
        @Override
        public Optional<String> command() {
            return Optional.empty();
        }

        @Override
        public Optional<String> commandLine() {
            return Optional.empty();
        }

        @Override
        public Optional<String[]> arguments() {
            return Optional.empty();
        }

        @Override
        public Optional<Instant> startInstant() {
            return Optional.empty();
        }

        @Override
        public Optional<Duration> totalCpuDuration() {
            return Optional.empty();
        }

        @Override
        public Optional<String> user() {
            return Optional.empty();
        }
    };
}
