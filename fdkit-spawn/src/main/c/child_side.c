/*
 * The child side of fdkit's spawn helper: everything in this file runs between clone and exec, in a child that
 * shares the JVM's memory (the clone mechanism) or on a bare thread of the JVM (exec in place).
 *
 * Rules, because that code has no JVM and no libc state of its own: raw system calls only (raw_syscall.h), no
 * libc function, no errno, no thread-local, no lock, no allocation. It writes only memory the parent set aside for
 * this one spawn (plan->result, run->placed, the LISTEN_PID digits, sh_argv[1]). A test compiles this file alone
 * and checks that it references no outside symbol.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>

#include "child_side.h"
#include "raw_syscall.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

/* Without close_range and /proc, the closing pass walks descriptor numbers up to the hard limit, at most this. */
#define CLOSE_LOOP_CAP (1 << 20)

static const char DEV_NULL[] = "/dev/null";
static const char BIN_SH[] = "/bin/sh";
static const char THREAD_FDS[] = "/proc/thread-self/fd";

static int record(struct fdkit_plan *p, int step, int arg, long err) {
    p->result.error = (int32_t)-err;
    p->result.step = step;
    p->result.arg = arg;
    return -1;
}

/* Testing only: the plan asks this step to fail as if its system call had returned -fail_error. */
#define INJECTED(p, step) ((p)->fail_step == (step))
#define FAIL_INJECTED(p, step, arg) record(p, step, arg, -(long)(p)->fail_error)

static void write_pid(char *buf, long pid) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + pid % 10);
        pid /= 10;
    } while (pid > 0 && n < 20);
    for (int i = 0; i < n; i++) buf[i] = digits[n - 1 - i];
    buf[n] = '\0';
}

/* Exec errors after which execvp tries the next directory of PATH. */
static int try_next(long err) {
    return err == -ENOENT || err == -ENOTDIR || err == -ESTALE || err == -ENODEV || err == -ETIMEDOUT
           || err == -EACCES || err == -ENAMETOOLONG || err == -ELOOP;
}

/* A refusal that means "this kernel or sandbox has no close_range": fall back instead of failing. */
static int refused(long err) {
    return err == -ENOSYS || err == -EPERM || err == -EACCES || err == -EINVAL;
}

/* ---- closing ---- */

static void close_each(long from, long to) {
    for (long fd = from; fd <= to; fd++) sys1(SYS_close, fd);
}

static void close_span(int from, int to) {
    if (sys3(SYS_close_range, from, to, 0) < 0) close_each(from, to);
}

/* Closes every descriptor from `from` up, with close_range, else by /proc/thread-self/fd, else number by number. */
static void close_from(int from) {
    if (sys3(SYS_close_range, from, ~0U, 0) == 0) return;
    long dir = sys4(SYS_openat, AT_FDCWD, THREAD_FDS, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (dir >= 0) {
        /* Each pass returns entries after the last one read: closing what was listed does not repeat it. */
        char buf[4096] __attribute__((aligned(8)));
        for (int pass = 0; pass < CLOSE_LOOP_CAP; pass++) {
            long n = sys3(SYS_getdents64, dir, buf, sizeof buf);
            if (n <= 0) break;
            for (long at = 0; at < n;) {
                unsigned short reclen = *(unsigned short *)(buf + at + 16); /* struct linux_dirent64 */
                const char *name = buf + at + 19;
                long fd = 0;
                int digits = 0;
                for (; *name >= '0' && *name <= '9' && digits < 10; name++, digits++) fd = fd * 10 + (*name - '0');
                if (digits > 0 && *name == '\0' && fd >= from && fd != dir) sys1(SYS_close, fd);
                at += reclen;
            }
        }
        sys1(SYS_close, dir);
        return;
    }
    uint64_t lim[2] = {0, 0};
    long last = CLOSE_LOOP_CAP;
    if (sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, lim) == 0 && lim[1] < (uint64_t)CLOSE_LOOP_CAP) last = (long)lim[1];
    close_each(from, last);
}

/*
 * Closes what the child must not keep. After close_range(first, ~0U, CLOSE_RANGE_UNSHARE) the table holds nothing
 * from `first` up but kept numbers and what the child opened itself, all close-on-exec: only the unkept numbers
 * below `first` need closing. A whole copied table (unshare) is closed in full: every gap and everything above.
 */
static void close_unkept(const struct fdkit_plan *p, int whole_table) {
    int limit = whole_table ? INT32_MAX : p->first, from = 0;
    for (int k = 0; k < p->nkeep && from < limit; k++) {
        if (p->keep[k] > from) close_span(from, (p->keep[k] < limit ? p->keep[k] : limit) - 1);
        from = p->keep[k] + 1;
    }
    if (from >= limit) return;
    if (whole_table) {
        close_from(from);
    } else {
        close_span(from, limit - 1);
    }
}

/* ---- limits ---- */

static int set_nofile(struct fdkit_run *run, uint64_t soft, uint64_t hard) {
    uint64_t lim[2] = {soft, hard}, before[2] = {0, 0};
    long r = sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, lim, before);
    if (r == 0 && !run->nofile_changed) {
        run->nofile_before[0] = before[0];
        run->nofile_before[1] = before[1];
        run->nofile_changed = 1;
    }
    return (int)r;
}

/*
 * dup3 and F_DUPFD refuse numbers at or above the soft limit. When one does, this raises it (up to the hard one)
 * to what placing needs: every destination and, when sources are parked, room above `park` (all of it when the
 * whole table was copied and the numbers above `park` may be taken). Asked only after a refusal, so the usual
 * spawn, whose numbers fit, makes no prlimit call. Returns 1 when the limit was raised and the call is worth
 * retrying, once per spawn.
 */
static int raised_for_placing(struct fdkit_run *run, int park, int parks, int whole_table, int *asked) {
    if (*asked) return 0;
    *asked = 1;
    const struct fdkit_plan *p = run->plan;
    uint64_t cur[2];
    if (sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, cur) < 0) return 0;
    uint64_t need = (uint64_t)p->hi;
    if (parks) need = whole_table ? cur[1] : (uint64_t)park + (uint64_t)p->nmaps + 1;
    if (need > cur[1]) need = cur[1];
    return need > cur[0] && set_nofile(run, need, cur[1]) == 0;
}

/* The refusals a too-low soft limit gives: dup3 EBADF, F_DUPFD EINVAL (or EMFILE when no number is free below
 * it), open EMFILE. */
static int limit_refusal(long r) {
    return r == -EBADF || r == -EINVAL || r == -EMFILE;
}

/* ---- signals ---- */

/* Caught signals to SIG_DFL (a JVM handler must never run in the child), ignored ones stay ignored as across
 * exec, and the plan's extra ones to SIG_DFL. After clone3 with CLONE_CLEAR_SIGHAND the kernel did the first. */
static void reset_signals(const struct fdkit_run *run) {
    const struct fdkit_plan *p = run->plan;
    unsigned long dfl[4] = {0, 0, 0, 0}; /* struct k_sigaction: SIG_DFL, no flags, empty mask */
    for (int sig = 1; sig < 65; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        int reset = (int)((p->sig_default >> (sig - 1)) & 1);
        if (!reset && !run->clear_sighand) {
            unsigned long old[4] = {0, 0, 0, 0};
            reset = sys4(SYS_rt_sigaction, sig, 0, old, 8) == 0 && old[0] != (unsigned long)SIG_DFL
                    && old[0] != (unsigned long)SIG_IGN;
        }
        if (reset) sys4(SYS_rt_sigaction, sig, dfl, 0, 8);
    }
}

/* ---- the plan ---- */

int fdkit_run_plan(struct fdkit_run *run) {
    struct fdkit_plan *p = run->plan;
    const struct fdkit_map *m = p->maps;
    long r;

    /* 1. A private table holding only [0, first): the kernel copies the low part only. Where close_range is
     * missing or refused, a private copy of the whole table; the closing pass below trims it. */
    if (INJECTED(p, FDKIT_STEP_UNSHARE)) return FAIL_INJECTED(p, FDKIT_STEP_UNSHARE, p->first);
    int whole_table = 0;
    r = sys3(SYS_close_range, p->first, ~0U, CLOSE_RANGE_UNSHARE);
    if (r < 0 && refused(r)) {
        r = sys1(SYS_unshare, CLONE_FILES);
        whole_table = 1;
    }
    if (r < 0) return record(p, FDKIT_STEP_UNSHARE, p->first, r);

    /* Where moved sources and /dev/null wait: above every destination and every source, so nothing placed later
     * lands on them (after close_range above, the numbers from `first` up are free). */
    int park = p->hi > p->first ? p->hi : p->first, parks = 0, asked = 0;
    for (int i = 0; i < p->nmaps; i++) parks |= m[i].from == FDKIT_FROM_DEVNULL || (m[i].flags & FDKIT_MAP_MOVE_FIRST);
#define RAISED(r) (limit_refusal(r) && raised_for_placing(run, park, parks, whole_table, &asked))

    /* 2. Sources that some other map's destination would overwrite are parked first. */
    for (int i = 0; i < p->nmaps; i++) {
        int src = m[i].from;
        run->placed[i] = src;
        if (src >= 0 && (m[i].flags & FDKIT_MAP_MOVE_FIRST)) {
            if (INJECTED(p, FDKIT_STEP_MOVE)) return FAIL_INJECTED(p, FDKIT_STEP_MOVE, i);
            r = sys3(SYS_fcntl, src, F_DUPFD_CLOEXEC, park);
            if (RAISED(r)) r = sys3(SYS_fcntl, src, F_DUPFD_CLOEXEC, park);
            if (r < 0) {
                if (r == -EBADF && (m[i].flags & FDKIT_MAP_OPTIONAL)) {
                    run->placed[i] = -2; /* optional and absent: leave the destination closed */
                    continue;
                }
                return record(p, FDKIT_STEP_MOVE, i, r);
            }
            run->placed[i] = (int32_t)r;
        }
    }

    /* 3. Place: dup3 clears close-on-exec on the destination; an identity map clears it with fcntl. */
    int devnull = -1;
    for (int i = 0; i < p->nmaps; i++) {
        int src = run->placed[i], dst = m[i].to;
        if (src == -2) continue;
        if (src == FDKIT_FROM_DEVNULL) {
            if (devnull < 0) {
                if (INJECTED(p, FDKIT_STEP_DEVNULL)) return FAIL_INJECTED(p, FDKIT_STEP_DEVNULL, i);
                r = sys4(SYS_openat, AT_FDCWD, DEV_NULL, O_RDWR | O_CLOEXEC, 0);
                if (r == -EMFILE && RAISED(r)) r = sys4(SYS_openat, AT_FDCWD, DEV_NULL, O_RDWR | O_CLOEXEC, 0);
                if (r < 0) return record(p, FDKIT_STEP_DEVNULL, i, r);
                devnull = (int)r;
                if (devnull < park) { /* never leave it on a destination that is still to be placed */
                    r = sys3(SYS_fcntl, devnull, F_DUPFD_CLOEXEC, park);
                    if (RAISED(r)) r = sys3(SYS_fcntl, devnull, F_DUPFD_CLOEXEC, park);
                    sys1(SYS_close, devnull);
                    if (r < 0) return record(p, FDKIT_STEP_DEVNULL, i, r);
                    devnull = (int)r;
                }
            }
            src = devnull;
        }
        if (INJECTED(p, FDKIT_STEP_PLACE)) return FAIL_INJECTED(p, FDKIT_STEP_PLACE, i);
        r = src == dst ? sys3(SYS_fcntl, dst, F_SETFD, 0) : sys3(SYS_dup3, src, dst, 0);
        if (src != dst && RAISED(r)) r = sys3(SYS_dup3, src, dst, 0);
        if (r < 0 && !(r == -EBADF && (m[i].flags & FDKIT_MAP_OPTIONAL))) return record(p, FDKIT_STEP_PLACE, i, r);
    }

#undef RAISED

    /* 4. Close everything that is not kept. */
    close_unkept(p, whole_table);

    /* 5. The limit the program starts with: the one asked for, else the one before placing. */
    if (p->flags & FDKIT_PLAN_SET_NOFILE) {
        int arg = p->nofile_soft > INT32_MAX ? INT32_MAX : (int)p->nofile_soft;
        if (INJECTED(p, FDKIT_STEP_RLIMIT)) return FAIL_INJECTED(p, FDKIT_STEP_RLIMIT, arg);
        r = set_nofile(run, p->nofile_soft, p->nofile_hard);
        if (r < 0) return record(p, FDKIT_STEP_RLIMIT, arg, r);
    } else if (run->nofile_changed) {
        sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, run->nofile_before, 0);
    }

    if (!run->shared_handlers) reset_signals(run);

    if (p->dir) {
        if (INJECTED(p, FDKIT_STEP_CHDIR)) return FAIL_INJECTED(p, FDKIT_STEP_CHDIR, 0);
        r = sys1(SYS_chdir, p->dir);
        if (r < 0) return record(p, FDKIT_STEP_CHDIR, 0, r);
    }

    if (p->listen_pid) write_pid(p->listen_pid, sys0(SYS_getpid));

    /* 6. The mask the program starts with. */
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &p->sig_mask, 0, 8);

    /* 7. Exec, searching like execvp: ENOENT and friends try the next candidate, EACCES is remembered; a file
     * without #! (ENOEXEC) runs under /bin/sh. */
    if (INJECTED(p, FDKIT_STEP_EXEC)) return FAIL_INJECTED(p, FDKIT_STEP_EXEC, 0);
    char *const *envp = p->envp; /* never NULL here: the parent put environ in */
    long err = -ENOENT;
    int saw_eacces = 0, failed_at = 0;
    for (int i = 0; i < p->npaths; i++) {
        r = sys3(SYS_execve, p->paths[i], p->argv, envp);
        failed_at = i;
        if (r == -ENOEXEC && run->sh_argv) {
            run->sh_argv[1] = (char *)p->paths[i];
            r = sys3(SYS_execve, BIN_SH, run->sh_argv, envp);
        }
        err = r;
        if (r == -EACCES) saw_eacces = 1;
        if (!try_next(r)) break;
    }
    if (saw_eacces && try_next(err)) err = -EACCES;
    return record(p, FDKIT_STEP_EXEC, failed_at, err);
}

int fdkit_child_main(void *arg) {
    fdkit_run_plan((struct fdkit_run *)arg);
    for (;;) sys1(SYS_exit_group, 127);
    return 127;
}

/* A thread of this process (CLONE_THREAD, its own cwd): on success exec ends every other thread; on failure the
 * thread puts the process-wide limit back and exits, taking its private table and cwd with it. */
int fdkit_exec_thread_main(void *arg) {
    struct fdkit_run *run = arg;
    fdkit_run_plan(run);
    if (run->nofile_changed) sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, run->nofile_before, 0);
    for (;;) sys1(SYS_exit, 0); /* this thread only */
    return 0;
}

/* The probe: can a child cloned like fdkit_spawn's get a private table? result->arg = 1 with close_range. */
int fdkit_probe_child_main(void *arg) {
    struct fdkit_result *out = arg;
    long r = sys3(SYS_close_range, 3, ~0U, CLOSE_RANGE_UNSHARE);
    out->arg = r == 0;
    if (r < 0 && refused(r)) r = sys1(SYS_unshare, CLONE_FILES);
    out->error = r < 0 ? (int32_t)-r : 0;
    for (;;) sys1(SYS_exit_group, r < 0 ? 1 : 0);
    return 0;
}

/*
 * clone3 that runs fn(arg) in the child on its new stack, then exit_group with its result. Assembly, because C
 * cannot go on after a raw clone3 has switched the child to another stack (glibc does the same, privately).
 */
#if defined(__x86_64__)
__asm__(".text\n"
        ".globl fdkit_clone3_run\n"
        ".hidden fdkit_clone3_run\n"
        ".type fdkit_clone3_run,@function\n"
        ".p2align 4\n"
        "fdkit_clone3_run:\n"     /* rdi = args, rsi = size, rdx = fn, rcx = arg */
        "    mov %rdx, %r8\n"     /* the syscall clobbers rcx and r11 only; the child inherits r8, r9 */
        "    mov %rcx, %r9\n"
        "    mov $435, %eax\n"
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jnz 1f\n"            /* parent (pid) or error (-errno) */
        "    xor %ebp, %ebp\n"    /* child: rsp = stack + stack_size, 16-byte aligned */
        "    mov %r9, %rdi\n"
        "    call *%r8\n"
        "    mov %eax, %edi\n"
        "    mov $231, %eax\n"    /* exit_group */
        "    syscall\n"
        "    hlt\n"
        "1:  ret\n"
        ".size fdkit_clone3_run, .-fdkit_clone3_run\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl fdkit_clone3_run\n"
        ".hidden fdkit_clone3_run\n"
        ".type fdkit_clone3_run,%function\n"
        ".p2align 2\n"
        "fdkit_clone3_run:\n"     /* x0 = args, x1 = size, x2 = fn, x3 = arg */
        "    mov x9, x2\n"
        "    mov x10, x3\n"
        "    mov x8, #435\n"
        "    svc #0\n"
        "    cbnz x0, 1f\n"
        "    mov x29, xzr\n"       /* child: sp = stack + stack_size */
        "    mov x30, xzr\n"
        "    mov x0, x10\n"
        "    blr x9\n"
        "    mov x8, #94\n"        /* exit_group */
        "    svc #0\n"
        "    brk #0\n"
        "1:  ret\n"
        ".size fdkit_clone3_run, .-fdkit_clone3_run\n");
#endif
