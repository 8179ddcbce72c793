/*
 * Parent side of the clone mechanism and of exec in place: prepares the memory the child may write, clones it on
 * a stack of its own with every signal blocked, and collects the result. The child's code is child_side.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parent_side.h"
#include "raw_syscall.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

void fdkit_result_reset(struct fdkit_plan *p) {
    p->result.pid = 0;
    p->result.pidfd = -1;
    p->result.error = 0;
    p->result.step = FDKIT_STEP_NONE;
    p->result.arg = 0;
}

int fdkit_fail(struct fdkit_plan *p, int step, int arg, long err) {
    p->result.error = (int32_t)-err;
    p->result.step = step;
    p->result.arg = arg;
    return -1;
}

/* Set once by fdkit_probe_clone: whether clone3 with CLONE_CLEAR_SIGHAND works here (Linux 5.5+, and not
 * refused by a seccomp filter). */
static int clone3_works;

/* ---- stacks for the child: a small pool, so a spawn costs no mmap/munmap (and no TLB shootdown) ---- */

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
 * Clones `fn` as a vfork-style child sharing memory and descriptor table. No JVM handler may run in the child (it
 * would run JVM code on a stack the JVM does not know). Returns the pid (the pidfd in *pidfd) or -errno.
 */
static long start_child(int (*fn)(void *), void *arg, char *stack, int *pidfd) {
    long pid;
    if (clone3_works) {
        /* No signal needs blocking: CLONE_CLEAR_SIGHAND gives the child default dispositions from its first
         * instruction, so no JVM handler can run there, and the child sets its own mask before exec. */
        struct fdkit_clone3_args a = {0};
        a.flags = CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_PIDFD | CLONE_CLEAR_SIGHAND;
        a.pidfd = (uint64_t)(uintptr_t)pidfd;
        /* SIGCHLD, as fork gives. Another value would not hide the child from waits without __WALL (such as the
         * one behind the JDK handle's onExit, which sees the zombie before the reaper reaps it): the kernel resets
         * the exit signal to SIGCHLD at a successful execve (de_thread, "we have changed execution domain"). */
        a.exit_signal = SIGCHLD;
        a.stack = (uint64_t)(uintptr_t)(stack + GUARD_SIZE);
        a.stack_size = STACK_SIZE;
        return fdkit_clone3_run(&a, sizeof a, fn, arg);
    }
    /* clone shares the JVM's handlers until the child has reset them: every signal stays blocked meanwhile. */
    unsigned long all = ~0UL, old = 0;
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
    pid = clone(fn, stack + GUARD_SIZE + STACK_SIZE, CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_PIDFD | SIGCHLD,
                arg, pidfd); /* the exit signal in the low byte: SIGCHLD, see above */
    if (pid < 0) pid = -errno;
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);
    return pid;
}

static int reap(pid_t pid) {
    int status = 0; /* stays 0 if waitpid fails (ECHILD when SIGCHLD is ignored and the kernel reaped it) */
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return status;
}

/* Room for the child's writable arrays on the caller's stack, enough for usual plans: no allocation per spawn. */
#define INLINE_MAPS 64
#define INLINE_ARGS 64

struct run_memory {
    int32_t placed[INLINE_MAPS];
    char *sh_argv[INLINE_ARGS];
    char **owned_envp; /* a filtered copy of environ (fdkit_child_envp), or NULL */
    char *const *caller_envp;
};

static void release_run(struct fdkit_run *run, struct run_memory *mem) {
    run->plan->envp = mem->caller_envp;
    if (run->placed != mem->placed) free(run->placed);
    if (run->sh_argv != mem->sh_argv) free(run->sh_argv);
    free(mem->owned_envp);
}

/* The memory the child may write besides the result, and the environment for a plan without envp. */
static int prepare_run(struct fdkit_run *run, struct fdkit_plan *p, struct run_memory *mem) {
    fdkit_result_reset(p);
    run->plan = p;
    run->clear_sighand = 0;
    run->shared_handlers = 0;
    run->nofile_changed = 0;
    int argc = 0;
    while (p->argv[argc]) argc++;
    mem->caller_envp = p->envp;
    p->envp = fdkit_child_envp(p, &mem->owned_envp);
    run->placed = p->nmaps <= INLINE_MAPS ? mem->placed : malloc(sizeof(int32_t) * (size_t)p->nmaps);
    run->sh_argv = argc + 2 <= INLINE_ARGS ? mem->sh_argv : malloc(sizeof(char *) * (size_t)(argc + 2));
    if (!p->envp || !run->placed || !run->sh_argv) {
        release_run(run, mem);
        return -ENOMEM;
    }
    run->sh_argv[0] = (char *)"/bin/sh";
    run->sh_argv[1] = NULL; /* the candidate, filled by the child */
    for (int i = 1; i < argc; i++) run->sh_argv[i + 1] = p->argv[i];
    run->sh_argv[argc + 1] = NULL;
    return 0;
}

EXPORT int fdkit_spawn(struct fdkit_plan *p) {
    struct fdkit_run run;
    struct run_memory mem;
    long r = prepare_run(&run, p, &mem);
    if (r < 0) return fdkit_fail(p, FDKIT_STEP_STACK, 0, r);
    run.clear_sighand = clone3_works;
    int slot = -1;
    char *stack = p->fail_step == FDKIT_STEP_STACK ? NULL : take_stack(&slot);
    if (!stack) {
        release_run(&run, &mem);
        return fdkit_fail(p, FDKIT_STEP_STACK, 0, p->fail_step == FDKIT_STEP_STACK ? -p->fail_error : -ENOMEM);
    }
    int pidfd = -1;
    long pid = p->fail_step == FDKIT_STEP_CLONE ? -p->fail_error : start_child(fdkit_child_main, &run, stack, &pidfd);
    give_stack(stack, slot);
    release_run(&run, &mem);
    if (pid < 0) return fdkit_fail(p, FDKIT_STEP_CLONE, 0, pid);
    if (p->result.step != FDKIT_STEP_NONE) { /* the child wrote why it could not exec, then exited */
        reap((pid_t)pid);
        if (pidfd >= 0) close(pidfd);
        return -1;
    }
    p->result.pid = (int32_t)pid;
    p->result.pidfd = pidfd;
    return 0;
}

/* ---- exec in place: the same plan on a bare thread of this process, which then execs ---- */

/*
 * Replaces this process's image, keeping its pid. The work runs on a new thread (clone with CLONE_THREAD, not
 * sharing the cwd) with every signal blocked, so that a failed exec leaves the JVM's descriptor table, cwd and
 * handlers as they were: that thread alone unshares, closes, places and execs; on success the kernel ends every
 * other thread. The thread runs child_side.c only, so it needs no thread library.
 */
EXPORT int fdkit_exec_in_place(struct fdkit_plan *p) {
    struct fdkit_run run;
    struct run_memory mem;
    long r = prepare_run(&run, p, &mem);
    if (r < 0) return fdkit_fail(p, FDKIT_STEP_THREAD, 0, r);
    run.shared_handlers = 1; /* the JVM's handlers: exec resets the caught ones, keeps the ignored ones */
    int slot = -1;
    char *stack = take_stack(&slot);
    if (!stack) {
        release_run(&run, &mem);
        return fdkit_fail(p, FDKIT_STEP_THREAD, 0, -ENOMEM);
    }
    /* The kernel writes the thread id here at clone and clears it (with a futex wake) when the thread exits. */
    volatile int32_t tid = 0;
    unsigned long all = ~0UL, old = 0;
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8); /* the new thread starts with this mask */
    long t = p->fail_step == FDKIT_STEP_THREAD ? -p->fail_error
             : clone(fdkit_exec_thread_main, stack + GUARD_SIZE + STACK_SIZE,
                     CLONE_VM | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID
                             | CLONE_CHILD_CLEARTID,
                     &run, (int32_t *)&tid, NULL, (int32_t *)&tid);
    if (t < 0 && p->fail_step != FDKIT_STEP_THREAD) t = -errno;
    if (t > 0) {
        for (int32_t seen; (seen = __atomic_load_n(&tid, __ATOMIC_ACQUIRE)) != 0;) {
            sys6(SYS_futex, (long)&tid, FUTEX_WAIT, seen, 0, 0, 0);
        }
    }
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);
    give_stack(stack, slot);
    release_run(&run, &mem);
    if (t < 0) return fdkit_fail(p, FDKIT_STEP_THREAD, 0, t);
    if (p->result.step == FDKIT_STEP_NONE) fdkit_fail(p, FDKIT_STEP_THREAD, 1, -EINTR); /* exec never returns */
    return -1;
}

/* ---- probe: can this kernel and sandbox run the clone mechanism? ---- */

static int probe_once(void) {
    struct fdkit_result out = {0, -1, 0, 0, 0};
    int slot;
    char *stack = take_stack(&slot);
    if (!stack) return -ENOMEM;
    int pidfd = -1;
    long pid = start_child(fdkit_probe_child_main, &out, stack, &pidfd);
    give_stack(stack, slot);
    if (pid < 0) return (int)pid;
    int status = reap((pid_t)pid);
    if (pidfd >= 0) close(pidfd);
    if (pidfd < 0) return -ENOSYS;
    if (out.error != 0) return -out.error;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

EXPORT int fdkit_probe_clone(int32_t try_clone3) {
    clone3_works = try_clone3 != 0;
    int r = probe_once();
    if (r == 0 || !clone3_works) return r;
    clone3_works = 0; /* ENOSYS before 5.3, EINVAL before 5.5, or a seccomp filter that refuses clone3 */
    return probe_once();
}

EXPORT int fdkit_uses_clone3(void) {
    return clone3_works;
}
