/*
 * The boundary between fdkit-spawn's Java code and its C helper, declared once.
 *
 * Java fills one struct fdkit_plan in native memory (NativeSpawn.java, with the layouts of SpawnAbi.java) and
 * passes its address to one entry point; the helper writes what happened into plan->result. SpawnAbi.java
 * describes the same structs and constants with MemoryLayout; fdkit_abi_layout() and fdkit_abi_constants()
 * (abi.c) export every size, offset and value below, and a test compares them all with the Java side. Change
 * both sides and that test together.
 */
#ifndef FDKIT_SPAWN_H
#define FDKIT_SPAWN_H

#include <stdint.h>

/* One descriptor for the child: parent descriptor `from` (or FDKIT_FROM_DEVNULL) becomes child descriptor `to`. */
struct fdkit_map {
    int32_t from;
    int32_t to;
    int32_t flags; /* enum fdkit_map_flags */
};

enum { FDKIT_FROM_DEVNULL = -1 }; /* `from`: the child opens /dev/null read-write */

enum fdkit_map_flags {
    FDKIT_MAP_MOVE_FIRST = 1, /* `from` is another map's `to`: copy it out of the way before placing anything */
    FDKIT_MAP_OPTIONAL = 2,   /* `from` may be closed (inherited stdio the JVM lacks): `to` then stays closed */
};

enum fdkit_plan_flags {
    FDKIT_PLAN_SET_NOFILE = 1,  /* give the child RLIMIT_NOFILE {nofile_soft, nofile_hard} */
    FDKIT_PLAN_PATH_SEARCH = 2, /* posix-spawn only: paths[0] is a bare name, searched in PATH by posix_spawnp */
    FDKIT_PLAN_ENVIRON_NO_LISTEN = 4, /* with envp NULL: environ less its LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES
                                       * entries (socket activation meant for this process, not its child) */
};

/*
 * The step that failed, in fdkit_result.step, and what fdkit_result.arg then means. Steps marked "child" run
 * between clone and exec (child_side.c); the others in the calling thread.
 */
enum fdkit_step {
    FDKIT_STEP_NONE = 0,          /* success; arg 0 */
    FDKIT_STEP_STACK = 1,         /* mmap of the cloned child's stack; arg 0 */
    FDKIT_STEP_CLONE = 2,         /* clone/clone3 of the child; arg 0 */
    FDKIT_STEP_UNSHARE = 3,       /* child: a private descriptor table, by close_range(arg, ~0U, CLOSE_RANGE_UNSHARE)
                                   * or, where that is refused, unshare(CLONE_FILES) (whose errno is reported);
                                   * arg = plan.first */
    FDKIT_STEP_MOVE = 4,          /* child: fcntl(from, F_DUPFD_CLOEXEC, max(hi, first)) parking a
                                   * FDKIT_MAP_MOVE_FIRST map's source; arg = index into plan.maps */
    FDKIT_STEP_PLACE = 5,         /* child: dup3(from, to) (fcntl F_SETFD when from == to); arg = index into maps */
    FDKIT_STEP_DEVNULL = 6,       /* child: open("/dev/null") for a FDKIT_FROM_DEVNULL map; arg = index into maps */
    FDKIT_STEP_CHDIR = 7,         /* child: chdir(plan.dir); arg 0 */
    FDKIT_STEP_RLIMIT = 8,        /* RLIMIT_NOFILE: child: setting the requested limit, arg = nofile_soft (capped
                                   * at INT32_MAX); posix-spawn: a child descriptor the parent's soft limit does not
                                   * admit in file actions, arg = that descriptor number */
    FDKIT_STEP_EXEC = 9,          /* execve of the candidates; arg = index into plan.paths of the last one tried
                                   * (posix-spawn: 0) */
    FDKIT_STEP_THREAD = 10,       /* exec in place: clone of the thread that execs; arg 0 */
    FDKIT_STEP_FILE_ACTIONS = 11, /* posix-spawn: building attributes or file actions; arg 0: the call failed with
                                   * errno; 1: posix_spawn_file_actions_addclosefrom_np missing; 2:
                                   * posix_spawn_file_actions_addchdir_np missing (both ENOSYS) */
};

/* What happened, written by the helper. */
struct fdkit_result {
    int32_t pid;   /* the child (0 on failure) */
    int32_t pidfd; /* clone: its pidfd; -1 otherwise */
    int32_t error; /* errno of the failed step, 0 on success */
    int32_t step;  /* enum fdkit_step */
    int32_t arg;   /* see enum fdkit_step */
};

/*
 * Everything the child follows, prepared by the parent. Strings and arrays are NUL-/NULL-terminated C data owned
 * by the caller for the length of the call; nothing here is freed by the helper.
 */
struct fdkit_plan {
    const char *const *paths; /* files to exec, in execvp order (PATH candidates); npaths of them */
    char *const *argv;
    char *const *envp;        /* NULL: the process's environ at the moment of the spawn (see
                               * FDKIT_PLAN_ENVIRON_NO_LISTEN) */
    const char *dir;          /* chdir target, or NULL */
    char *listen_pid;         /* 12 writable bytes inside envp's "LISTEN_PID=" entry, where the child writes its
                               * pid; or NULL */
    const struct fdkit_map *maps; /* nmaps of them, in placing order */
    const int32_t *keep;      /* the child's descriptor numbers (every map's `to`), ascending; nkeep of them */
    void *addclosefrom_np;    /* posix-spawn: glibc's posix_spawn_file_actions_addclosefrom_np, or NULL */
    void *addchdir_np;        /* posix-spawn: glibc's posix_spawn_file_actions_addchdir_np, or NULL */
    /* Signal policy. Caught signals always become SIG_DFL and ignored ones stay ignored (as across exec); on top: */
    uint64_t sig_default;     /* signals (bit sig-1) also set to SIG_DFL in the child (not for exec in place) */
    uint64_t sig_mask;        /* the signal mask the program starts with (bit sig-1) */
    uint64_t nofile_soft;     /* with FDKIT_PLAN_SET_NOFILE: the child's RLIMIT_NOFILE */
    uint64_t nofile_hard;
    int32_t npaths;
    int32_t nmaps;
    int32_t nkeep;
    int32_t first;            /* above every `from`: the child unshares with close_range(first, ~0U, UNSHARE) */
    int32_t hi;               /* above every `to` */
    int32_t flags;            /* enum fdkit_plan_flags */
    int32_t fail_step;        /* testing only: fail at this step (enum fdkit_step) with fail_error instead of
                               * doing it; FDKIT_STEP_NONE in normal use */
    int32_t fail_error;
    struct fdkit_result result;
};

/* Entry points (each returns 0 on success, -1 with plan->result saying why). */

/* The clone mechanism: starts a child by the plan; on success result.pid and result.pidfd are set. */
int fdkit_spawn(struct fdkit_plan *plan);

/* Replaces this process's image, keeping its pid; returns only on failure, with the process as it was. */
int fdkit_exec_in_place(struct fdkit_plan *plan);

/* The posix-spawn mechanism: the same plan as glibc posix_spawn file actions; result.pidfd stays -1. */
int fdkit_posix_spawn(struct fdkit_plan *plan);

/*
 * 0 when a child can be cloned as fdkit_spawn does (with a pidfd) and given a private table; else -errno. Decides
 * once whether spawns use clone3 with CLONE_CLEAR_SIGHAND (tried first unless try_clone3 is 0) or clone.
 */
int fdkit_probe_clone(int32_t try_clone3);

/* 1 when spawns use clone3 with CLONE_CLEAR_SIGHAND (decided by fdkit_probe_clone); for diagnostics and tests. */
int fdkit_uses_clone3(void);

/* The layout and constants above as the compiler sees them, for the test that compares them with SpawnAbi.java. */
struct fdkit_abi_field {
    const char *name; /* "fdkit_plan" for a struct's size, "fdkit_plan.argv" for a member */
    int64_t offset;   /* a member's offsetof; 0 for a struct */
    int64_t size;     /* sizeof */
};
struct fdkit_abi_constant {
    const char *name; /* "FDKIT_STEP_EXEC" */
    int64_t value;
};
const struct fdkit_abi_field *fdkit_abi_layout(int32_t *count);
const struct fdkit_abi_constant *fdkit_abi_constants(int32_t *count);

#endif
