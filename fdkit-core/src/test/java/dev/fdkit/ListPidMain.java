package dev.fdkit;

/** Child-JVM entry for {@link OtherProcessListingTest}: lists itself and PID, printing what happened. */
public final class ListPidMain {
    public static void main(String[] args) {
        try {
            System.out.println("self " + Fds.list().size());
        } catch (Exception e) {
            System.out.println("self failed " + e);
        }
        try {
            System.out.println("listed " + Fds.list(Long.parseLong(args[0])).size());
        } catch (ErrnoException e) {
            System.out.println(e.getClass().getSimpleName() + " errno=" + e.errnoName() + ": " + e.getMessage());
        }
    }
}
