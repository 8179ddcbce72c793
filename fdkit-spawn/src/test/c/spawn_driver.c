/*
 * Drives fdkit's spawn helper from C, the way NativeSpawn does from Java, so that the helper can be tested where no
 * JVM runs: bin/lib/aarch64-test.sh links it against the aarch64 build and runs it under qemu-user.
 *
 * It opens descriptors the child must not get (10 and 11) and one it must get (12, passed as child descriptor 5),
 * then starts "/bin/sh -c 'ls /proc/self/fd; exit 7'" with stdio and that one descriptor, by the clone mechanism
 * (fdkit_spawn) and by the posix-spawn mechanism (fdkit_posix_spawn), waits, and prints per mechanism:
 *   <mechanism>: exit=<status> fds=<what the child listed>
 * The child is a program of the host: a process started under qemu-user runs execve'd programs natively.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdkit_spawn.h"

static const char *mechanism_name(int posix) {
    return posix ? "posix-spawn" : "clone";
}

/* Runs the plan by one mechanism; the child's stdout comes back through a pipe. Returns 0 when it ran. */
static int run(int posix) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) { perror("pipe2"); return 1; }
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    /* Not for the child: two descriptors without close-on-exec, which a plain fork+exec would leak. */
    if (dup2(devnull, 10) < 0 || dup2(devnull, 11) < 0 || dup2(devnull, 12) < 0) { perror("dup2"); return 1; }

    const char *paths[] = {"/bin/sh", NULL};
    char *argv[] = {"sh", "-c", "cd /proc/self/fd && echo *; exit 7", NULL};
    struct fdkit_map maps[] = {
        {0, 0, 0}, {out[1], 1, 0}, {2, 2, 0}, {12, 5, 0},
    };
    int32_t keep[] = {0, 1, 2, 5};
    struct fdkit_plan plan;
    memset(&plan, 0, sizeof plan);
    plan.paths = paths;
    plan.npaths = 1;
    plan.argv = argv;
    plan.envp = NULL; /* this process's environ */
    plan.maps = maps;
    plan.nmaps = 4;
    plan.keep = keep;
    plan.nkeep = 4;
    plan.first = 13 > out[1] + 1 ? 13 : out[1] + 1; /* above every source */
    plan.hi = 6;                                    /* above every child descriptor */
    plan.addclosefrom_np = dlsym(RTLD_DEFAULT, "posix_spawn_file_actions_addclosefrom_np");
    plan.addchdir_np = dlsym(RTLD_DEFAULT, "posix_spawn_file_actions_addchdir_np");

    int r = posix ? fdkit_posix_spawn(&plan) : fdkit_spawn(&plan);
    close(out[1]);
    if (r != 0) {
        printf("%s: failed at step %d (arg %d): %s\n", mechanism_name(posix), plan.result.step, plan.result.arg,
               strerror(plan.result.error));
        return 1;
    }
    char listing[256] = {0};
    ssize_t n = read(out[0], listing, sizeof listing - 1);
    if (n > 0 && listing[n - 1] == '\n') listing[n - 1] = 0;
    close(out[0]);
    int status = 0;
    if (waitpid(plan.result.pid, &status, 0) < 0) { perror("waitpid"); return 1; }
    if (plan.result.pidfd >= 0) close(plan.result.pidfd);
    printf("%s: exit=%d fds=%s\n", mechanism_name(posix), WIFEXITED(status) ? WEXITSTATUS(status) : -1, listing);
    close(10);
    close(11);
    close(12);
    close(devnull);
    return 0;
}

int main(void) {
    int probe = fdkit_probe_clone(1);
    printf("probe: %d clone3=%d\n", probe, fdkit_uses_clone3());
    int failed = 0;
    if (probe == 0) failed |= run(0);
    else printf("clone: refused here (%s); fdkit-spawn falls back to posix-spawn\n", strerror(-probe));
    failed |= run(1);
    return failed;
}
