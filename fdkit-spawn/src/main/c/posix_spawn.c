/*
 * The posix-spawn mechanism: the plan as posix_spawn file actions (parent side only; the C library's own child
 * carries them out). glibc's child copies the whole table (no CLONE_FILES), so the cost grows with it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "parent_side.h"
#include "raw_syscall.h"

typedef int (*addclosefrom_fn)(posix_spawn_file_actions_t *, int);
typedef int (*addchdir_fn)(posix_spawn_file_actions_t *, const char *);

static int is_kept(const struct fdkit_plan *p, int fd) {
    int lo = 0, hi = p->nkeep - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (p->keep[mid] == fd) return 1;
        if (p->keep[mid] < fd) lo = mid + 1; else hi = mid - 1;
    }
    return 0;
}

/*
 * Adds the plan's actions: sources the soft RLIMIT_NOFILE would refuse are first duplicated low here (C libraries
 * check every number in a file action against it); sources that are another map's destination go to temporaries
 * above every source and destination; then each onto its destination, /dev/null opened in place, one close per gap
 * number, closefrom above the last kept one. `low` collects the parent's duplicates, closed by the caller.
 */
static int add_actions(struct fdkit_plan *p, posix_spawn_file_actions_t *fa, int *from, int *low, int *nlow) {
    struct rlimit lim;
    long soft = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < INT32_MAX ? (long)lim.rlim_cur : INT32_MAX;
    int tmp = p->hi;
    for (int i = 0; i < p->nmaps; i++) {
        from[i] = p->maps[i].from;
        if (from[i] >= soft) {
            int d = fcntl(from[i], F_DUPFD_CLOEXEC, 3);
            if (d < 0 && errno == EBADF && (p->maps[i].flags & FDKIT_MAP_OPTIONAL)) {
                from[i] = -2;
                continue;
            }
            if (d < 0) return fdkit_fail(p, FDKIT_STEP_RLIMIT, from[i], -errno);
            low[(*nlow)++] = from[i] = d;
        }
        if (from[i] >= tmp) tmp = from[i] + 1;
    }
    for (int i = 0; i < p->nmaps; i++) {
        int to = p->maps[i].to;
        if (to >= soft) return fdkit_fail(p, FDKIT_STEP_RLIMIT, to, -EBADF);
    }
    int r = 0;
    int moved = tmp; /* numbers from here on: temporaries, in map order */
    for (int i = 0; i < p->nmaps && !r; i++) {
        if (from[i] >= 0 && from[i] != p->maps[i].to && is_kept(p, from[i])) {
            if (tmp >= soft) return fdkit_fail(p, FDKIT_STEP_RLIMIT, tmp, -EBADF);
            r = posix_spawn_file_actions_adddup2(fa, from[i], tmp++);
        }
    }
    tmp = moved;
    for (int i = 0; i < p->nmaps && !r; i++) {
        int src = from[i], dst = p->maps[i].to;
        if (src == -2) continue;
        if (src == FDKIT_FROM_DEVNULL) {
            r = posix_spawn_file_actions_addopen(fa, dst, "/dev/null", O_RDWR, 0);
        } else if (src == dst) {
            if (!(p->maps[i].flags & FDKIT_MAP_OPTIONAL)) r = posix_spawn_file_actions_adddup2(fa, src, dst);
        } else {
            r = posix_spawn_file_actions_adddup2(fa, is_kept(p, src) ? tmp++ : src, dst);
        }
    }
    int gap = 0;
    for (int k = 0; k < p->nkeep && !r; k++) {
        for (int fd = gap; fd < p->keep[k] && !r; fd++) r = posix_spawn_file_actions_addclose(fa, fd);
        gap = p->keep[k] + 1;
    }
    if (!r) r = ((addclosefrom_fn)p->addclosefrom_np)(fa, gap);
    if (!r && p->dir) r = ((addchdir_fn)p->addchdir_np)(fa, p->dir);
    return r ? fdkit_fail(p, FDKIT_STEP_FILE_ACTIONS, 0, -r) : 0;
}

/*
 * Caught signals to SIG_DFL is the C library's own doing; ignored ones stay ignored, as across exec. glibc's child
 * also sets its two internal signals (32, 33) to SIG_IGN, which exec would keep: they are reset unless this
 * process ignores them itself. Their bits are set by hand (bit sig-1, the kernel's layout): sigaddset refuses them.
 */
static int set_signals(const struct fdkit_plan *p, posix_spawnattr_t *attr) {
    sigset_t dfl, mask;
    sigemptyset(&dfl);
    sigemptyset(&mask);
    for (int sig = 1; sig < 65; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        int reset = (int)((p->sig_default >> (sig - 1)) & 1);
        if (sig == 32 || sig == 33) {
            unsigned long old[4] = {0, 0, 0, 0}; /* struct k_sigaction; the raw call answers for these two too */
            reset |= sys4(SYS_rt_sigaction, sig, 0, old, 8) == 0 && old[0] != (unsigned long)SIG_IGN;
        }
        if (reset) ((unsigned long *)&dfl)[0] |= 1UL << (sig - 1);
        if ((p->sig_mask >> (sig - 1)) & 1) ((unsigned long *)&mask)[0] |= 1UL << (sig - 1);
    }
    int r = posix_spawnattr_setsigmask(attr, &mask);
    if (!r) r = posix_spawnattr_setsigdefault(attr, &dfl);
    if (!r) r = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    return r;
}

EXPORT int fdkit_posix_spawn(struct fdkit_plan *p) {
    fdkit_result_reset(p);
    if (!p->addclosefrom_np) return fdkit_fail(p, FDKIT_STEP_FILE_ACTIONS, 1, -ENOSYS);
    if (p->dir && !p->addchdir_np) return fdkit_fail(p, FDKIT_STEP_FILE_ACTIONS, 2, -ENOSYS);
    if (p->fail_step == FDKIT_STEP_FILE_ACTIONS) return fdkit_fail(p, FDKIT_STEP_FILE_ACTIONS, 0, -p->fail_error);

    size_t n = (size_t)(p->nmaps > 0 ? p->nmaps : 1);
    int *from = malloc(sizeof(int) * n), *low = malloc(sizeof(int) * n), nlow = 0;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int fa_ok = 0, attr_ok = 0, r;
    if (!from || !low) {
        r = fdkit_fail(p, FDKIT_STEP_FILE_ACTIONS, 0, -ENOMEM);
        goto out;
    }
    r = posix_spawn_file_actions_init(&fa);
    fa_ok = r == 0;
    if (!r) r = posix_spawnattr_init(&attr);
    attr_ok = fa_ok && r == 0;
    if (!r) r = set_signals(p, &attr);
    if (r) {
        r = fdkit_fail(p, FDKIT_STEP_FILE_ACTIONS, 0, -r);
        goto out;
    }
    r = add_actions(p, &fa, from, low, &nlow);
    if (r) goto out;
    if (p->fail_step == FDKIT_STEP_EXEC) {
        r = fdkit_fail(p, FDKIT_STEP_EXEC, 0, -p->fail_error);
        goto out;
    }
    char **owned_envp;
    char *const *envp = fdkit_child_envp(p, &owned_envp); /* environ: as the JDK's children get it when untouched */
    if (!envp) {
        r = fdkit_fail(p, FDKIT_STEP_FILE_ACTIONS, 0, -ENOMEM);
        goto out;
    }
    pid_t pid;
    r = (p->flags & FDKIT_PLAN_PATH_SEARCH) ? posix_spawnp(&pid, p->paths[0], &fa, &attr, p->argv, envp)
                                            : posix_spawn(&pid, p->paths[0], &fa, &attr, p->argv, envp);
    if (r) {
        r = fdkit_fail(p, FDKIT_STEP_EXEC, 0, -r); /* the C library reaped the failed child */
    } else {
        p->result.pid = pid;
    }
    free(owned_envp);
out:
    if (fa_ok) posix_spawn_file_actions_destroy(&fa);
    if (attr_ok) posix_spawnattr_destroy(&attr);
    for (int i = 0; i < nlow; i++) close(low[i]);
    free(from);
    free(low);
    return r ? -1 : 0;
}
