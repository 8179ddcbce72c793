package dev.fdkit.spawn.internal;


import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.util.List;
import java.util.SortedMap;

/**
 * A snapshot of an {@code FdProcessBuilder}: what to run and which descriptors the child gets.
 *
 * @param environment null: the process's environment as it is at the start
 * @param passed      child descriptor number -> parent descriptor number
 * @param listen      parent descriptors for LISTEN_FDS, in child order from 3
 * @param mechanism   null: {@link Mechanisms#selected()}
 * @param fdLimit     the child's soft RLIMIT_NOFILE, or -1 to leave it as the JVM's
 */
public record SpawnRequest(List<String> command, ChildEnvironment environment, File directory, Redirect stdin,
                           Redirect stdout, Redirect stderr, boolean redirectErrorStream,
                           SortedMap<Integer, Integer> passed, List<ListenSpec> listen, Mechanism mechanism,
                           long fdLimit) {

    /** One socket-activation descriptor: the parent's number and its LISTEN_FDNAMES name. */
    public record ListenSpec(int fd, String name) {}
}
