/*
 * What the parent side hands the child side: the plan plus the memory the child may write. Shared by the files of
 * both sides; only child_side.c runs between clone and exec.
 */
#ifndef FDKIT_CHILD_SIDE_H
#define FDKIT_CHILD_SIDE_H

#include "fdkit_spawn.h"

struct fdkit_run {
    struct fdkit_plan *plan;
    int32_t *placed;            /* plan->nmaps ints: where each source sits after the move pass */
    char **sh_argv;             /* {"/bin/sh", <candidate>, argv[1..], NULL} for an ENOEXEC file, or NULL */
    int clear_sighand;          /* the kernel already reset caught handlers (clone3 with CLONE_CLEAR_SIGHAND) */
    int shared_handlers;        /* a thread of the JVM (exec in place): its handlers are the JVM's, left to exec */
    uint64_t nofile_before[2];  /* RLIMIT_NOFILE before the child changed it... */
    int nofile_changed;         /* ...if it did: exec in place puts it back when the exec fails */
};

/* The child's whole work: private table, placing, closing, limits, signals, directory, exec. Returns (-1, with
 * plan->result set) only when something failed. */
int fdkit_run_plan(struct fdkit_run *run);

/* Entry functions for clone: run the plan (or the probe) and exit. */
int fdkit_child_main(void *run);
int fdkit_exec_thread_main(void *run);
int fdkit_probe_child_main(void *result);

/* clone3(args, size) running fn(arg) on the child's new stack, then exit_group with its result (x86_64, aarch64). */
struct fdkit_clone3_args { /* struct clone_args, CLONE_ARGS_SIZE_VER0 */
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};
long fdkit_clone3_run(struct fdkit_clone3_args *args, unsigned long size, int (*fn)(void *), void *arg);

#endif
