package dev.fdkit.spawn;

/** Run by {@link NoexecTest} in a JVM whose temporary directory is mounted noexec: can it still start a child? */
public final class NoexecMain {
    public static void main(String[] args) {
        try {
            Process p = new FdProcessBuilder("echo", "hi").start();
            System.out.println("child=" + new String(p.getInputStream().readAllBytes()).trim());
            System.out.println("exit=" + p.waitFor());
        } catch (Exception e) {
            System.out.println("exception=" + e.getClass().getName() + ": " + e.getMessage());
        }
    }
}
