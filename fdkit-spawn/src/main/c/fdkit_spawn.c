/*
 * fdkit's spawn helper: starts a child that inherits exactly the descriptors it is given.
 *
 * The Java side prepares everything in native memory (argv, envp, the candidate paths of the PATH search, the
 * descriptor plan) and calls fdkit_spawn. That blocks every signal in the calling thread and clones a child with
 * CLONE_VM | CLONE_VFORK | CLONE_FILES on a stack of its own. The child shares the JVM's memory and, at first,
 * its descriptor table, so nothing is copied at clone time. Its first act is
 * close_range(first, ~0U, CLOSE_RANGE_UNSHARE): the kernel gives it a private table holding only the slots
 * below `first`, whatever the size of the JVM's table. Then it places the passed descriptors, closes the gaps,
 * resets signals, changes directory, writes LISTEN_PID and execs.
 *
 * Between clone and exec the child may not run Java, take a lock or touch errno: it is a thread of the JVM's
 * address space with no JVM state. Every call there is a raw system call below, and every byte it writes goes
 * into memory the parent owns for this one spawn (the result array, the LISTEN_PID digits, the ENOEXEC argv).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

extern char **environ;

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

/* Keep in sync with NativeSpawn.java. */
enum { OUT_PID, OUT_PIDFD, OUT_ERRNO, OUT_STEP, OUT_ARG, OUT_LEN };
enum { STEP_NONE, STEP_STACK, STEP_CLONE, STEP_UNSHARE, STEP_MOVE, STEP_PLACE, STEP_DEVNULL, STEP_CHDIR,
       STEP_RLIMIT, STEP_EXEC, STEP_THREAD, STEP_FILE_ACTIONS, STEP_UNSHARE_FS };
/* Plan entries are triples: src, dst, flags. */
enum { SRC_DEVNULL = -1 };
enum { MAP_MOVE_FIRST = 1, MAP_OPTIONAL = 2 };
/* Spawn flags. */
enum { SPAWN_RESET_SIGNALS = 1, SPAWN_SET_NOFILE = 2 };

/* ---- raw system calls: no errno, no libc state; the result or -errno ---- */

static inline long sys6(long n, long a, long b, long c, long d, long e, long f) {
#if defined(__x86_64__)
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory", "cc");
    return x0;
#else
#error "fdkit-spawn: add the raw system call sequence for this architecture"
#endif
}

#define sys0(n) sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static const char DEV_NULL[] = "/dev/null";
static const char BIN_SH[] = "/bin/sh";

/* Everything the child reads, prepared by the parent; `out` and `scratch` are the only memory it writes
 * (besides the LISTEN_PID digits and sh_argv[1]). */
struct plan {
    const char *const *paths; /* candidates of the PATH search, in order */
    int npaths;
    char *const *argv;
    char *const *envp;
    char **sh_argv; /* {"/bin/sh", <candidate>, argv[1..], NULL} for ENOEXEC, or NULL */
    const char *dir; /* chdir target or NULL */
    const int *map; /* nmap triples: src, dst, flags */
    int nmap;
    int *scratch; /* nmap ints: where each source sits after the first pass */
    const int *keep; /* ascending distinct child descriptor numbers */
    int nkeep;
    int first; /* close_range(first, ~0U, CLOSE_RANGE_UNSHARE): every source is below it */
    int hi; /* above every source and destination: where moved sources and /dev/null go */
    char *listen_pid; /* 12 bytes inside the LISTEN_PID= string, or NULL */
    int flags;
    uint64_t reset_mask; /* without SPAWN_RESET_SIGNALS: the signals (bit sig-1) to set to SIG_DFL */
    unsigned long nofile_soft, nofile_hard;
    unsigned long nofile_before[2]; /* filled when the limit is set: exec in place puts it back on failure */
    int nofile_changed;
    volatile int *out;
};

static int record(const struct plan *p, int step, int arg, long err) {
    p->out[OUT_ERRNO] = (int)-err;
    p->out[OUT_STEP] = step;
    p->out[OUT_ARG] = arg;
    return -1;
}

static void write_pid(char *buf, long pid) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + pid % 10);
        pid /= 10;
    } while (pid > 0);
    for (int i = 0; i < n; i++) buf[i] = digits[n - 1 - i];
    buf[n] = '\0';
}

/* Exec errors after which execvp tries the next directory of PATH. */
static int try_next(long err) {
    return err == -ENOENT || err == -ENOTDIR || err == -ESTALE || err == -ENODEV || err == -ETIMEDOUT
           || err == -EACCES || err == -ENAMETOOLONG || err == -ELOOP;
}

/* The part shared by the cloned child and the exec-in-place thread; returns only on failure. */
static int run_plan(struct plan *p) {
    long r;
    const int *m = p->map;

    /* 1. A private table holding only [0, first): the kernel copies the low part only. */
    r = sys3(SYS_close_range, p->first, ~0U, CLOSE_RANGE_UNSHARE);
    if (r < 0) return record(p, STEP_UNSHARE, p->first, r);

    /* 2. Sources that some other mapping's destination would overwrite go above everything first. */
    for (int i = 0; i < p->nmap; i++) {
        int src = m[3 * i], flags = m[3 * i + 2];
        p->scratch[i] = src;
        if (src >= 0 && (flags & MAP_MOVE_FIRST)) {
            r = sys3(SYS_fcntl, src, F_DUPFD_CLOEXEC, p->hi);
            if (r < 0) {
                if (r == -EBADF && (flags & MAP_OPTIONAL)) {
                    p->scratch[i] = -2; /* optional and absent: leave the destination closed */
                    continue;
                }
                return record(p, STEP_MOVE, i, r);
            }
            p->scratch[i] = (int)r;
        }
    }

    /* 3. Place: dup3 clears close-on-exec on the destination; an identity mapping clears it with fcntl. */
    int devnull = -1;
    for (int i = 0; i < p->nmap; i++) {
        int src = p->scratch[i], dst = m[3 * i + 1], flags = m[3 * i + 2];
        if (src == -2) continue;
        if (src == SRC_DEVNULL) {
            if (devnull < 0) {
                r = sys4(SYS_openat, AT_FDCWD, DEV_NULL, O_RDWR | O_CLOEXEC, 0);
                if (r < 0) return record(p, STEP_DEVNULL, i, r);
                devnull = (int)r;
                if (devnull < p->hi) { /* never leave it on a destination that is still to be placed */
                    r = sys3(SYS_fcntl, devnull, F_DUPFD_CLOEXEC, p->hi);
                    sys1(SYS_close, devnull);
                    if (r < 0) return record(p, STEP_DEVNULL, i, r);
                    devnull = (int)r;
                }
            }
            src = devnull;
        }
        if (src == dst) {
            r = sys3(SYS_fcntl, dst, F_SETFD, 0);
        } else {
            r = sys3(SYS_dup3, src, dst, 0);
        }
        if (r < 0 && !(r == -EBADF && (flags & MAP_OPTIONAL))) return record(p, STEP_PLACE, i, r);
    }

    /* 4. Close every gap between the kept numbers, and everything above the last (moved sources too). */
    int from = 0;
    for (int k = 0; k < p->nkeep; k++) {
        if (p->keep[k] > from) sys3(SYS_close_range, from, p->keep[k] - 1, 0);
        from = p->keep[k] + 1;
    }
    sys3(SYS_close_range, from, ~0U, 0);

    /* 5. Signals: every caught or ignored signal back to SIG_DFL (the child has its own handler table). When
     * clone3 cleared the caught ones already (CLONE_CLEAR_SIGHAND), only the ignored ones are left to do. */
    unsigned long dfl[4] = {0, 0, 0, 0}; /* struct k_sigaction with SIG_DFL, no flags, empty mask */
    for (int sig = 1; sig < 65; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if ((p->flags & SPAWN_RESET_SIGNALS) || (p->reset_mask & (1ULL << (sig - 1)))) {
            sys4(SYS_rt_sigaction, sig, dfl, 0, 8);
        }
    }

    if (p->flags & SPAWN_SET_NOFILE) {
        unsigned long lim[2] = {p->nofile_soft, p->nofile_hard};
        r = sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, lim, p->nofile_before);
        if (r < 0) return record(p, STEP_RLIMIT, (int)p->nofile_soft, r);
        p->nofile_changed = 1;
    }

    if (p->dir) {
        r = sys1(SYS_chdir, p->dir);
        if (r < 0) return record(p, STEP_CHDIR, 0, r);
    }

    if (p->listen_pid) write_pid(p->listen_pid, sys0(SYS_getpid));

    /* 6. The mask the new program starts with: empty. */
    unsigned long none = 0;
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);

    /* 7. Exec, searching like execvp: ENOENT and friends try the next candidate, EACCES is remembered. */
    long err = -ENOENT;
    int saw_eacces = 0, failed_at = 0;
    for (int i = 0; i < p->npaths; i++) {
        r = sys3(SYS_execve, p->paths[i], p->argv, p->envp);
        failed_at = i;
        if (r == -ENOEXEC && p->sh_argv) {
            p->sh_argv[1] = (char *)p->paths[i];
            r = sys3(SYS_execve, BIN_SH, p->sh_argv, p->envp);
        }
        err = r;
        if (r == -EACCES) saw_eacces = 1;
        if (!try_next(r)) break;
    }
    if (saw_eacces && try_next(err)) err = -EACCES;
    return record(p, STEP_EXEC, failed_at, err);
}

static int child_main(void *arg) {
    run_plan((struct plan *)arg);
    for (;;) sys1(SYS_exit_group, 127);
    return 127;
}

/* ---- clone3 with CLONE_CLEAR_SIGHAND: the kernel resets every caught signal at clone time ---- */

#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#define NR_CLONE3 435 /* the same on every architecture (the generic table) */

struct clone3_args { /* struct clone_args, CLONE_ARGS_SIZE_VER0 */
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/*
 * clone3(args, size); in the child, on the new stack, fn(arg) and exit_group with its result. Assembly, because C
 * cannot run on after a raw clone3 has switched the child to another stack (glibc does the same, privately).
 */
long fdkit_clone3_run(struct clone3_args *args, unsigned long size, int (*fn)(void *), void *arg)
    __attribute__((visibility("hidden")));
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

/* Set once by fdkit_probe_clone: whether clone3 with CLONE_CLEAR_SIGHAND works here (Linux 5.5+, and not
 * refused by a seccomp filter), and which signals the process ignored at that moment. */
static int clone3_works;
static uint64_t ignored_at_probe;

static uint64_t ignored_signals(void) {
    uint64_t mask = 0;
    for (int sig = 1; sig < 65; sig++) {
        unsigned long old[4] = {0, 0, 0, 0};
        if (sys4(SYS_rt_sigaction, sig, 0, old, 8) == 0 && old[0] == (unsigned long)SIG_IGN) mask |= 1ULL << (sig - 1);
    }
    return mask;
}

/* ---- stacks for the cloned child: a small pool, so a spawn costs no mmap/munmap (and no TLB shootdown) ---- */

#define STACK_SIZE (64 * 1024)
#define GUARD_SIZE (64 * 1024) /* covers 4 KiB and 64 KiB pages */
#define POOL_SIZE 16

static void *pool_stack[POOL_SIZE];
static int pool_busy[POOL_SIZE];

static void *map_stack(void) {
    char *p = mmap(NULL, GUARD_SIZE + STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                   -1, 0);
    if (p == MAP_FAILED) return NULL;
    if (mprotect(p, GUARD_SIZE, PROT_NONE) != 0) {
        munmap(p, GUARD_SIZE + STACK_SIZE);
        return NULL;
    }
    return p;
}

static void *take_stack(int *slot) {
    for (int i = 0; i < POOL_SIZE; i++) {
        if (__atomic_exchange_n(&pool_busy[i], 1, __ATOMIC_ACQUIRE) == 0) {
            if (!pool_stack[i]) pool_stack[i] = map_stack();
            if (!pool_stack[i]) {
                __atomic_store_n(&pool_busy[i], 0, __ATOMIC_RELEASE);
                break;
            }
            *slot = i;
            return pool_stack[i];
        }
    }
    *slot = -1;
    return map_stack();
}

static void give_stack(void *stack, int slot) {
    if (slot >= 0) {
        __atomic_store_n(&pool_busy[slot], 0, __ATOMIC_RELEASE);
    } else if (stack) {
        munmap(stack, GUARD_SIZE + STACK_SIZE);
    }
}

/*
 * Clones `fn` as a vfork-style child sharing memory and descriptor table, with every signal blocked in the calling
 * thread meanwhile: no handler may run in the child, it would run JVM code on a stack the JVM does not know.
 * Returns the pid (the pidfd in *pidfd) or -errno.
 */
static long start_child(int (*fn)(void *), void *arg, char *stack, int *pidfd) {
    unsigned long all = ~0UL, old = 0;
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
    long pid;
    if (clone3_works) {
        struct clone3_args a = {0};
        a.flags = CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_PIDFD | CLONE_CLEAR_SIGHAND;
        a.pidfd = (uint64_t)(uintptr_t)pidfd;
        a.exit_signal = SIGCHLD;
        a.stack = (uint64_t)(uintptr_t)(stack + GUARD_SIZE);
        a.stack_size = STACK_SIZE;
        pid = fdkit_clone3_run(&a, sizeof a, fn, arg);
    } else {
        pid = clone(fn, stack + GUARD_SIZE + STACK_SIZE, CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_PIDFD | SIGCHLD,
                    arg, pidfd);
        if (pid < 0) pid = -errno;
    }
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);
    return pid;
}

static int reap(pid_t pid) {
    int status = 0; /* stays 0 if waitpid fails (ECHILD when SIGCHLD is ignored and the kernel reaped it) */
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return status;
}

static void init_plan(struct plan *p, const char *const *paths, int npaths, char *const *argv, char *const *envp,
                      char **sh_argv, const char *dir, const int *map, int nmap, int *scratch, const int *keep,
                      int nkeep, int first, int hi, char *listen_pid, int flags, const long *nofile, int *out) {
    p->paths = paths;
    p->npaths = npaths;
    p->argv = argv;
    /* No envp: the process's environ as it is now, including what native code set with setenv(3) after the
     * JVM started (the JDK's children get the same when environment() was never touched). */
    p->envp = envp ? envp : environ;
    p->sh_argv = sh_argv;
    p->dir = dir;
    p->map = map;
    p->nmap = nmap;
    p->scratch = scratch;
    p->keep = keep;
    p->nkeep = nkeep;
    p->first = first;
    p->hi = hi;
    p->listen_pid = listen_pid;
    p->flags = flags;
    p->reset_mask = 0;
    p->nofile_changed = 0;
    p->nofile_soft = nofile ? (unsigned long)nofile[0] : 0;
    p->nofile_hard = nofile ? (unsigned long)nofile[1] : 0;
    p->out = out;
    for (int i = 0; i < OUT_LEN; i++) out[i] = 0;
    out[OUT_PIDFD] = -1;
}

/*
 * Starts a child by the plan. Returns 0 with out[OUT_PID] and out[OUT_PIDFD] set; or -1 with OUT_ERRNO,
 * OUT_STEP and OUT_ARG describing what failed (a child that failed has been reaped, its pidfd closed).
 */
EXPORT int fdkit_spawn(const char *const *paths, int npaths, char *const *argv, char *const *envp, char **sh_argv,
                       const char *dir, const int *map, int nmap, int *scratch, const int *keep, int nkeep,
                       int first, int hi, char *listen_pid, int flags, const long *nofile, int *out) {
    struct plan p;
    init_plan(&p, paths, npaths, argv, envp, sh_argv, dir, map, nmap, scratch, keep, nkeep, first, hi, listen_pid,
              flags, nofile, out);
    if (clone3_works) {
        p.reset_mask = ignored_at_probe; /* the caught ones are cleared by the kernel */
    } else {
        p.flags |= SPAWN_RESET_SIGNALS;
    }
    int slot;
    char *stack = take_stack(&slot);
    if (!stack) return record(&p, STEP_STACK, 0, -ENOMEM);
    int pidfd = -1;
    long pid = start_child(child_main, &p, stack, &pidfd);
    give_stack(stack, slot);
    if (pid < 0) return record(&p, STEP_CLONE, 0, pid);
    if (out[OUT_STEP] != STEP_NONE) { /* the child wrote why it could not exec, then exited */
        reap((pid_t)pid);
        if (pidfd >= 0) close(pidfd);
        return -1;
    }
    out[OUT_PID] = (int)pid;
    out[OUT_PIDFD] = pidfd;
    return 0;
}

/* ---- exec in place: the same plan on a new thread of this process, which then execs ---- */

static void *exec_thread(void *arg) {
    struct plan *p = arg;
    /* chdir must not move the JVM's other threads: this thread gets its own cwd first. */
    long r = sys1(SYS_unshare, CLONE_FS);
    if (r < 0) {
        record(p, STEP_UNSHARE_FS, 0, r);
        return NULL;
    }
    run_plan(p); /* returns only if the exec failed; this thread's private table and cwd go with it */
    if (p->nofile_changed) sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, p->nofile_before, 0); /* limits are the process's */
    return NULL;
}

/*
 * Replaces this process's image, keeping its pid. The work runs on a fresh thread with every signal blocked, so
 * that a failed exec leaves the JVM's descriptor table, cwd and handlers as they were: that thread alone
 * unshares, closes, places and execs; on success the kernel ends every other thread. Returns -1 (with out set)
 * only on failure.
 */
EXPORT int fdkit_exec_in_place(const char *const *paths, int npaths, char *const *argv, char *const *envp,
                               char **sh_argv, const char *dir, const int *map, int nmap, int *scratch,
                               const int *keep, int nkeep, int first, int hi, char *listen_pid, int flags,
                               const long *nofile, int *out) {
    struct plan p;
    init_plan(&p, paths, npaths, argv, envp, sh_argv, dir, map, nmap, scratch, keep, nkeep, first, hi, listen_pid,
              flags & ~SPAWN_RESET_SIGNALS, nofile, out); /* handlers are the JVM's: exec resets the caught ones */
    unsigned long all = ~0UL, old = 0;
    pthread_t t;
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8); /* the new thread starts with this mask */
    int r = pthread_create(&t, NULL, exec_thread, &p);
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);
    if (r != 0) return record(&p, STEP_THREAD, 0, -r);
    pthread_join(t, NULL);
    if (out[OUT_STEP] == STEP_NONE) record(&p, STEP_THREAD, 1, -EINTR); /* cannot happen: exec never returns */
    return -1;
}

/* ---- probe: can this kernel and sandbox run the clone mechanism? ---- */

static int probe_child(void *arg) {
    volatile int *out = arg;
    long r = sys3(SYS_close_range, 3, ~0U, CLOSE_RANGE_UNSHARE);
    out[OUT_ERRNO] = r < 0 ? (int)-r : 0;
    for (;;) sys1(SYS_exit_group, r < 0 ? 1 : 0);
    return 0;
}

static int probe_once(int *out) {
    for (int i = 0; i < OUT_LEN; i++) out[i] = 0;
    int slot;
    char *stack = take_stack(&slot);
    if (!stack) return -ENOMEM;
    int pidfd = -1;
    long pid = start_child(probe_child, out, stack, &pidfd);
    give_stack(stack, slot);
    if (pid < 0) return (int)pid;
    int status = reap((pid_t)pid);
    if (pidfd >= 0) close(pidfd);
    if (pidfd < 0) return -ENOSYS;
    if (out[OUT_ERRNO] != 0) return -out[OUT_ERRNO];
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

/*
 * 0 when a child can be cloned as fdkit_spawn does and can unshare with close_range; else -errno. Decides once
 * whether spawns use clone3 (caught signals cleared by the kernel) or clone (cleared one by one in the child);
 * try_clone3 == 0 goes straight to clone.
 */
EXPORT int fdkit_probe_clone(int *out, int try_clone3) {
    ignored_at_probe = ignored_signals();
    clone3_works = try_clone3 != 0;
    int r = probe_once(out);
    if (r == 0 || !clone3_works) return r;
    clone3_works = 0; /* ENOSYS before 5.3, EINVAL before 5.5, or a seccomp filter that refuses clone3 */
    return probe_once(out);
}

/* 1 when spawns use clone3 with CLONE_CLEAR_SIGHAND; for diagnostics. */
EXPORT int fdkit_uses_clone3(void) {
    return clone3_works;
}

/* ---- the posix_spawn mechanism: the same plan as glibc file actions ---- */

typedef int (*addclosefrom_fn)(posix_spawn_file_actions_t *, int);
typedef int (*addchdir_fn)(posix_spawn_file_actions_t *, const char *);

/*
 * posix_spawn (or posix_spawnp when `search` is set) with the plan as file actions: sources to temporaries above
 * everything, temporaries and identities onto their destinations, /dev/null opened in place, one close per gap
 * number, closefrom above the last kept number. glibc's own child copies the whole table (no CLONE_FILES), so
 * the cost grows with the table. Returns 0 with out[OUT_PID], or -1 with out[OUT_ERRNO] and out[OUT_STEP].
 */
EXPORT int fdkit_posix_spawn(const char *path, int search, char *const *argv, char *const *envp, const char *dir,
                             const int *map, int nmap, const int *keep, int nkeep, int hi, void *addclosefrom,
                             void *addchdir, int *out) {
    struct plan p = {0};
    p.out = out;
    for (int i = 0; i < OUT_LEN; i++) out[i] = 0;
    out[OUT_PIDFD] = -1;
    if (!addclosefrom) return record(&p, STEP_FILE_ACTIONS, 0, -ENOSYS);
    if (dir && !addchdir) return record(&p, STEP_FILE_ACTIONS, 1, -ENOSYS);

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int r = posix_spawn_file_actions_init(&fa);
    if (r != 0) return record(&p, STEP_FILE_ACTIONS, 0, -r);
    r = posix_spawnattr_init(&attr);
    if (r != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return record(&p, STEP_FILE_ACTIONS, 0, -r);
    }
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    /* glibc's sigfillset leaves out its two internal signals (32, 33), and its spawn child then sets them to
     * SIG_IGN, which exec keeps: set their bits by hand (bit sig-1, the kernel's layout) so they are reset too. */
    ((unsigned long *)&all)[0] |= 3UL << 31;
    r = posix_spawnattr_setsigmask(&attr, &none);
    if (!r) r = posix_spawnattr_setsigdefault(&attr, &all);
    if (!r) r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int tmp = hi;
    for (int i = 0; i < nmap && !r; i++) {
        int src = map[3 * i], flags = map[3 * i + 2];
        if (src >= 0 && (flags & MAP_MOVE_FIRST)) r = posix_spawn_file_actions_adddup2(&fa, src, tmp++);
    }
    tmp = hi;
    for (int i = 0; i < nmap && !r; i++) {
        int src = map[3 * i], dst = map[3 * i + 1], flags = map[3 * i + 2];
        if (src == SRC_DEVNULL) {
            r = posix_spawn_file_actions_addopen(&fa, dst, DEV_NULL, O_RDWR, 0);
        } else if (src == dst) {
            if (!(flags & MAP_OPTIONAL)) r = posix_spawn_file_actions_adddup2(&fa, src, dst); /* clears CLOEXEC */
        } else {
            r = posix_spawn_file_actions_adddup2(&fa, (flags & MAP_MOVE_FIRST) ? tmp++ : src, dst);
        }
    }
    int from = 0;
    for (int k = 0; k < nkeep && !r; k++) {
        for (int fd = from; fd < keep[k] && !r; fd++) r = posix_spawn_file_actions_addclose(&fa, fd);
        from = keep[k] + 1;
    }
    if (!r) r = ((addclosefrom_fn)addclosefrom)(&fa, from);
    if (!r && dir) r = ((addchdir_fn)addchdir)(&fa, dir);
    if (r != 0) {
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        return record(&p, STEP_FILE_ACTIONS, 0, -r);
    }
    pid_t pid;
    if (!envp) envp = environ; /* as in init_plan */
    r = search ? posix_spawnp(&pid, path, &fa, &attr, argv, envp) : posix_spawn(&pid, path, &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (r != 0) return record(&p, STEP_EXEC, 0, -r); /* glibc reaped the failed child */
    out[OUT_PID] = pid;
    return 0;
}
