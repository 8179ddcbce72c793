/*
 * fdkit-anchor: the C side of `fdkit bench`. It does the work fdkit does with no JVM in between, so that every
 * fdkit figure can be read as a ratio to it, measured in the same rounds.
 *
 * It is a single-threaded process (except while spawn-threads runs) that serves timing blocks: the bench writes one
 * request per line on stdin, the anchor opens what the block needs (never timed), makes one untimed call, then REPS
 * timed calls, and answers one line "ok T1 T2 ..." (nanoseconds, CLOCK_MONOTONIC, as System.nanoTime) or
 * "error MESSAGE". Requests:
 *
 *   close METHOD N REPS         N distinct /dev/null files at 3.. before each call; METHOD closes everything from 3:
 *                               close_range, close_range-cloexec (marks instead), readdir+close (the /proc walk)
 *   list N REPS SLOTS           N files open at 3.., the table grown to at least SLOTS slots; one poll(2) over every
 *                               slot, keeping those not answered POLLNVAL
 *   spawn METHOD N REPS         N extra files open (kept open for the next spawn or spawn-threads block of the same
 *                               N); start /bin/true and wait for it. floor: a child sharing the parent's memory and
 *                               descriptor table (no table copy) that calls
 *                               close_range(3, ~0U, CLOSE_RANGE_UNSHARE) and execs; floor-pidfd: the same child,
 *                               started and waited for with the system calls fdkit makes (clone3 with a pidfd, a
 *                               write to the reaper's eventfd, poll, waitid, close); floor-reaper: floor-pidfd with
 *                               a reaper thread that the write wakes and that reads the child's /proc/PID/stat, as
 *                               fdkit's does for the JDK's ProcessHandle; floor-read: floor-pidfd with no reaper
 *                               and no write, the spawning thread reading /proc/PID/stat itself right after the
 *                               start, as the JDK's Process does; posix_spawn+closefrom_np: glibc
 *   spawn-threads T N SPAWNS    N extra files open (kept, as for spawn); T threads each make SPAWNS floor spawns
 *                               after one untimed one; answers the wall time of the whole block (one number)
 *   many N PACE_US              N live children (sleep 1000, stdin/stdout/stderr /dev/null, by posix_spawn), a
 *                               pidfd each; the first N/2 killed one by one, one every PACE_US microseconds, each
 *                               timed from pidfd_send_signal(SIGKILL) to its pidfd polling readable; the rest
 *                               killed at once. Answers START BURST L1 .. L(N/2): the time to start all N, the time
 *                               from the last kill to the last pidfd readable, the paced latencies in kill order.
 *                               Every child is reaped and every pidfd closed, on error too
 *   many N PACE_US waiter       the same, the paced half waited for by a second thread: a sleeping thread that an
 *                               exit it did not cause has to wake, as a reaper thread is
 *
 * The same file, compiled with FDKIT_ANCHOR_LIBRARY defined, is libfdkit-anchor.so: no main() and no timing
 * blocks, only the spawn methods behind one exported call, fdkit_anchor_spawn_once, which the bench calls through
 * FFM from its own JVM. The floors timed there and here run the very same code; the ratio between the two is what
 * spawning from a JVM process costs them.
 *
 * Built by fdkit-bench's Maven build (src/main/c/build.sh) and shipped in the bench jar.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h> /* CLONE_CLEAR_SIGHAND, struct clone_args: clone3 is the kernel's, glibc has no wrapper */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define FIRST_FD 3
#define MAX_REPS 100000
#define MAX_THREADS 64
#define CHILD_STACK (64 * 1024)

extern char **environ;
/* The message of the calling thread's last failure: the library is called from many threads at once. */
static __thread char error[256];

static int fail(const char *what, int err) {
    snprintf(error, sizeof error, "%s: %s", what, strerror(err));
    return -1;
}

#ifndef FDKIT_ANCHOR_LIBRARY
static char *const true_argv[] = {"/bin/true", NULL};
static long long times[MAX_REPS];

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int close_from_first(unsigned flags) {
    return syscall(SYS_close_range, FIRST_FD, ~0U, flags) == 0 ? 0 : fail("close_range", errno);
}

/* N distinct open file descriptions at FIRST_FD.., the lowest free numbers once everything above 2 is closed. */
static int open_files(int n) {
    for (int i = 0; i < n; i++) {
        if (open("/dev/null", O_RDONLY) < 0) {
            int err = errno;
            close_from_first(0);
            return fail("open /dev/null", err);
        }
    }
    return 0;
}

/*
 * The spawn blocks' table: N files held open from one block to the next while N stays the same, with the reaper's
 * wake-up above them once a floor-pidfd block asks for it, as the bench's JVM holds its N files for all the blocks
 * of one size. Opening and closing 16,000 files around each block of a few spawns would time the kernel's
 * deferred freeing of the last block's files in this one's spawns (a quarter more per spawn at 16,000).
 */
static int held_files = -1;
static int held_wake = -1;

static int release_held(void) {
    if (held_files < 0) return 0;
    held_files = -1;
    held_wake = -1;
    return close_from_first(0);
}

static int hold_files(int n) {
    if (held_files == n) return 0;
    if (release_held() < 0 || open_files(n) < 0) return -1;
    held_files = n;
    return 0;
}

/* ---- close ----------------------------------------------------------------------------------------------------- */

/* The loop a C program writes by hand without close_range: readdir over /proc/self/fd, close each number. */
static int close_by_readdir(void) {
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) return fail("opendir /proc/self/fd", errno);
    int own = dirfd(dir);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        int fd = atoi(e->d_name);
        if (fd >= FIRST_FD && fd != own) close(fd);
    }
    closedir(dir);
    return 0;
}

static int close_call(const char *method) {
    if (strcmp(method, "close_range") == 0) return close_from_first(0);
    if (strcmp(method, "close_range-cloexec") == 0) return close_from_first(CLOSE_RANGE_CLOEXEC);
    return close_by_readdir();
}

static int close_block(const char *method, int n, int reps) {
    if (strcmp(method, "close_range") != 0 && strcmp(method, "close_range-cloexec") != 0
            && strcmp(method, "readdir+close") != 0) {
        snprintf(error, sizeof error, "unknown close method '%s'", method);
        return -1;
    }
    for (int rep = -1; rep < reps; rep++) {
        if (open_files(n) < 0) return -1;
        long long start = now_ns();
        int r = close_call(method);
        long long elapsed = now_ns() - start;
        if (r < 0) return -1;
        /* A close that left a file open (or a mark that closed one) would time the wrong work. */
        int last = FIRST_FD + n - 1;
        int flags = fcntl(last, F_GETFD);
        int marks = strcmp(method, "close_range-cloexec") == 0;
        if (n > 0 && (marks ? flags < 0 || !(flags & FD_CLOEXEC) : flags >= 0)) {
            snprintf(error, sizeof error, "%s left descriptor %d in the wrong state", method, last);
            close_from_first(0);
            return -1;
        }
        if (close_from_first(0) < 0) return -1;
        if (rep >= 0) times[rep] = elapsed;
    }
    return reps;
}

/* ---- list ------------------------------------------------------------------------------------------------------ */

static int list_block(int n, int reps, int slots) {
    if (open_files(n) < 0) return -1;
    /* Grow the table to the slot count the JVM's table has, so both poll over the same number of slots: a
     * descriptor at slots - 1, above the files, opened and closed again. */
    if (slots > FIRST_FD + n) {
        if (dup2(0, slots - 1) < 0) {
            int err = errno;
            close_from_first(0);
            return fail("dup2 to grow the table", err);
        }
        close(slots - 1);
    } else {
        slots = FIRST_FD + n;
    }
    struct pollfd *fds = calloc(slots, sizeof *fds);
    int *found = calloc(slots, sizeof *found);
    if (!fds || !found) {
        free(fds);
        free(found);
        close_from_first(0);
        return fail("calloc", ENOMEM);
    }
    int result = reps;
    for (int rep = -1; rep < reps; rep++) {
        long long start = now_ns();
        for (int i = 0; i < slots; i++) {
            fds[i].fd = i;
            fds[i].events = 0;
            fds[i].revents = 0;
        }
        int count = 0;
        if (poll(fds, slots, 0) < 0) {
            result = fail("poll", errno);
            break;
        }
        for (int i = 0; i < slots; i++) if (!(fds[i].revents & POLLNVAL)) found[count++] = i;
        long long elapsed = now_ns() - start;
        if (count != FIRST_FD + n) {
            snprintf(error, sizeof error, "poll found %d open descriptors, expected %d", count, FIRST_FD + n);
            result = -1;
            break;
        }
        if (rep >= 0) times[rep] = elapsed;
    }
    free(fds);
    free(found);
    if (close_from_first(0) < 0) return -1;
    return result;
}

#endif /* !FDKIT_ANCHOR_LIBRARY */

/* ---- spawn: each method starts argv[0] (/bin/true) and waits; its exit status, or -1 with error set ---------- */

/* Runs in the child, on the parent's memory and table: only raw system calls until exec. */
static int floor_child(void *argv) {
    char *const *args = argv;
    syscall(SYS_close_range, FIRST_FD, ~0U, CLOSE_RANGE_UNSHARE);
    execve(args[0], args, environ);
    _exit(127);
}

static int exit_status(const char *path, int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    snprintf(error, sizeof error, "%s ended with wait status 0x%x", path, status);
    return -1;
}

static int wait_exit(pid_t pid, const char *path) {
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return fail("waitpid", errno);
    }
    return exit_status(path, status);
}

/* One floor spawn: the child borrows the calling thread's stack area until it has exec'd (CLONE_VFORK). */
static int spawn_floor(char *stack, char *const argv[]) {
    pid_t pid = clone(floor_child, stack + CHILD_STACK, CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD,
                      (void *)argv);
    if (pid < 0) return fail("clone", errno);
    return wait_exit(pid, argv[0]);
}

/*
 * ---- floor-pidfd: the floor's child, started and waited for as fdkit's clone mechanism and FdProcess do it ----
 *
 * fdkit's sequence per spawn, from its C helper and its Java side (strace -f of FdProcessBuilder(...).start()
 * .waitFor() shows the same): clone3 with CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_PIDFD | CLONE_CLEAR_SIGHAND
 * and exit signal SIGCHLD on a stack of its own; one write to the eventfd in the reaper's epoll set, which hands
 * the child to the reaper thread (the reaper adds the pidfd to its set only when no thread waits on it, and
 * waitFor does: it polls the pidfd itself); once readable, waitid(P_PID, WEXITED | WNOHANG) reaps the child and
 * the pidfd is closed. No thread waits in this epoll set, so the write wakes none, where fdkit's wakes its reaper.
 * What fdkit does besides (the plan, the locks and objects; on the reaper's thread, the JDK handle's read of
 * /proc/PID/stat) is its own cost, left out here.
 */

/*
 * clone3(args, size) whose child makes, on no stack at all, the floor child's two system calls and exits:
 * close_range(3, ~0U, CLOSE_RANGE_UNSHARE), execve(path, argv, envp), exit_group(127). The parent gets the pid or
 * -errno. Assembly: after a raw clone3 the child runs on the new stack, where no C frame exists to return to.
 */
__attribute__((visibility("hidden")))
long clone3_exec(struct clone_args *args, unsigned long size, const char *path, char *const argv[],
                 char *const envp[]);
#if defined(__x86_64__)
#define HAVE_CLONE3_EXEC 1
__asm__(".text\n"
        ".type clone3_exec,@function\n"
        "clone3_exec:\n"         /* rdi args, rsi size, rdx path, rcx argv, r8 envp */
        "    mov %rdx, %r9\n"     /* close_range takes rdx; the syscall instruction clobbers rcx */
        "    mov %rcx, %r10\n"
        "    mov $435, %eax\n"    /* clone3 */
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jnz 1f\n"
        "    mov $3, %edi\n"      /* the child, sharing every register but rax, rcx, r11 */
        "    mov $-1, %esi\n"
        "    mov $2, %edx\n"      /* CLOSE_RANGE_UNSHARE */
        "    mov $436, %eax\n"    /* close_range */
        "    syscall\n"
        "    mov %r9, %rdi\n"
        "    mov %r10, %rsi\n"
        "    mov %r8, %rdx\n"
        "    mov $59, %eax\n"     /* execve */
        "    syscall\n"
        "2:  mov $127, %edi\n"
        "    mov $231, %eax\n"    /* exit_group */
        "    syscall\n"
        "    jmp 2b\n"
        "1:  ret\n"
        ".size clone3_exec, .-clone3_exec\n");
#elif defined(__aarch64__)
#define HAVE_CLONE3_EXEC 1
__asm__(".text\n"
        ".type clone3_exec,%function\n"
        "clone3_exec:\n"         /* x0 args, x1 size, x2 path, x3 argv, x4 envp; svc keeps every register but x0 */
        "    mov x8, #435\n"      /* clone3 */
        "    svc #0\n"
        "    cbnz x0, 1f\n"
        "    mov x5, x2\n"
        "    mov x0, #3\n"
        "    mov w1, #-1\n"
        "    mov x2, #2\n"        /* CLOSE_RANGE_UNSHARE */
        "    mov x8, #436\n"      /* close_range */
        "    svc #0\n"
        "    mov x0, x5\n"
        "    mov x1, x3\n"
        "    mov x2, x4\n"
        "    mov x8, #221\n"      /* execve */
        "    svc #0\n"
        "2:  mov x0, #127\n"
        "    mov x8, #94\n"       /* exit_group */
        "    svc #0\n"
        "    b 2b\n"
        "1:  ret\n"
        ".size clone3_exec, .-clone3_exec\n");
#endif

/*
 * Whether clone3 runs here; cleared, as fdkit's probe does, where the kernel lacks it or CLONE_CLEAR_SIGHAND (ENOSYS
 * before 5.3, EINVAL before 5.5) or a seccomp filter refuses it: fdkit then clones with clone, and so does this.
 */
#ifdef HAVE_CLONE3_EXEC
static int clone3_works = 1;
#else
static int clone3_works = 0;
#endif

/* Whether clone3 is still tried: threads of the library read it while another may clear it. */
static int clone3_tried(void) {
    return __atomic_load_n(&clone3_works, __ATOMIC_RELAXED);
}

/* The floor's child with a pidfd, as fdkit starts it: the pid (the pidfd in *pidfd) or -errno. */
static long start_with_pidfd(char *stack, char *const argv[], int *pidfd) {
#ifdef HAVE_CLONE3_EXEC
    if (clone3_tried()) {
        struct clone_args a;
        memset(&a, 0, sizeof a);
        a.flags = CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_PIDFD | CLONE_CLEAR_SIGHAND;
        a.pidfd = (uint64_t)(uintptr_t)pidfd;
        a.exit_signal = SIGCHLD;
        a.stack = (uint64_t)(uintptr_t)stack;
        a.stack_size = CHILD_STACK;
        /* The first version of the struct, as fdkit passes it: every field it sets is in it. */
        long pid = clone3_exec(&a, CLONE_ARGS_SIZE_VER0, argv[0], argv, environ);
        if (pid != -ENOSYS && pid != -EINVAL && pid != -EPERM) return pid;
        __atomic_store_n(&clone3_works, 0, __ATOMIC_RELAXED);
    }
#endif
    long pid = clone(floor_child, stack + CHILD_STACK, CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_PIDFD | SIGCHLD,
                     (void *)argv, pidfd);
    return pid < 0 ? -errno : pid;
}

/*
 * The reaper's wake-up: an eventfd in an epoll set of its own, as fdkit has one per JVM. The eventfd, or -1 with
 * error set and nothing left open; the epoll set, in *epoll_set, stays open with it until the caller closes both.
 */
static int make_reaper_wake(int *epoll_set) {
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) return fail("epoll_create1", errno);
    int wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake < 0) {
        int err = errno;
        close(epfd);
        return fail("eventfd", err);
    }
    struct epoll_event item = {.events = EPOLLIN, .data.fd = wake};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, wake, &item) < 0) {
        int err = errno;
        close(wake);
        close(epfd);
        return fail("epoll_ctl", err);
    }
    *epoll_set = epfd;
    return wake;
}

/*
 * ---- floor-reaper: floor-pidfd with fdkit's reaper thread doing its part -----------------------------------------
 *
 * fdkit's eventfd write wakes its reaper thread, which takes the child over and reads /proc/PID/stat for the
 * JDK's ProcessHandle (ProcessHandle.of(pid) reads the start time there, and a Process's handle must equal it);
 * if the child exits before that read is done, the waiter makes the read itself before it reaps. The read leaves
 * /proc dentries for the pid that the reap then has to invalidate. This method does the same in C: what it costs
 * over floor-pidfd is the kernel's and the scheduler's share of fdkit's design; what fdkit costs over it is Java's.
 */
struct reaper {
    pthread_t thread;
    int epfd, wake;
    _Atomic long handed;  /* the pid handed over last */
    _Atomic long read;    /* the pid whose start time was read last */
    _Atomic bool stop;
};

/* As ProcessHandle.of(pid) learns a process's start time: fopen /proc/PID/stat, fread it, field 22. */
static int read_start_time(long pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return fail("fopen /proc/PID/stat", errno);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *end = strrchr(buf, ')');
    unsigned long long start = 0;
    if (!end || sscanf(end + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                       &start) != 1 || start == 0) {
        snprintf(error, sizeof error, "no start time in %s", path);
        return -1;
    }
    return 0;
}

/* The floor-pidfd spawn; reaper_wake is the reaper's eventfd (see make_reaper_wake); with reaper (floor-reaper),
 * reaper_wake is that reaper's, and the child's start time is read before the reap if the reaper has not. With
 * reaper_wake -1 (floor-read) there is no write: this thread reads the start time itself right after the start,
 * where the JDK's own Process reads it. */
static int spawn_floor_pidfd(int reaper_wake, struct reaper *reaper, char *stack, char *const argv[]) {
    int pidfd = -1;
    long pid = start_with_pidfd(stack, argv, &pidfd);
    if (pid < 0) return fail(clone3_tried() ? "clone3" : "clone", (int)-pid);
    int result = 0, status = -1;
    uint64_t one = 1;
    if (reaper) atomic_store(&reaper->handed, pid);
    if (reaper_wake < 0) {
        result = read_start_time(pid);
    } else if (write(reaper_wake, &one, sizeof one) != (ssize_t)sizeof one) {
        result = fail("write eventfd", errno);
    }
    siginfo_t info;
    for (;;) {
        struct pollfd exited = {.fd = pidfd, .events = POLLIN};
        if (poll(&exited, 1, 100) < 0 && errno != EINTR) {
            if (result == 0) result = fail("poll", errno);
            while (waitpid((pid_t)pid, NULL, 0) < 0 && errno == EINTR) {}
            break;
        }
        if (reaper && atomic_load(&reaper->read) != pid && (exited.revents & POLLIN) && read_start_time(pid) < 0
                && result == 0) {
            result = -1;
        }
        memset(&info, 0, sizeof info);
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG) < 0) {
            if (errno == EINTR) continue;
            if (result == 0) result = fail("waitid", errno);
            break;
        }
        if (info.si_pid == 0) continue; /* not yet: poll again */
        if (info.si_code == CLD_EXITED) {
            status = info.si_status;
        } else if (result == 0) {
            snprintf(error, sizeof error, "%s ended with code %d, signal %d", argv[0], info.si_code, info.si_status);
            result = -1;
        }
        break;
    }
    close(pidfd);
    return result < 0 ? -1 : status;
}

/* floor-reaper's thread: woken by each spawn's eventfd write, it reads the start time of the child handed over
 * (unless read already); a read that fails because the child is gone already is dropped, as fdkit drops it. */
static void *reaper_main(void *arg) {
    struct reaper *r = arg;
    while (!atomic_load(&r->stop)) {
        struct epoll_event ev;
        if (epoll_wait(r->epfd, &ev, 1, -1) < 0) continue; /* EINTR: a signal the JVM handles, in the library */
        uint64_t count;
        if (read(r->wake, &count, sizeof count) < 0) continue; /* EAGAIN: drained already */
        long pid = atomic_load(&r->handed);
        if (pid > 0 && atomic_load(&r->read) != pid && read_start_time(pid) == 0) atomic_store(&r->read, pid);
    }
    return NULL;
}

/* Starts floor-reaper's thread, blocked in epoll_wait on its eventfd: 0, or -1 with error set and nothing left. */
static int start_reaper(struct reaper *r) {
    memset(r, 0, sizeof *r);
    if ((r->wake = make_reaper_wake(&r->epfd)) < 0) return -1;
    int err = pthread_create(&r->thread, NULL, reaper_main, r);
    if (err != 0) {
        close(r->wake);
        close(r->epfd);
        return fail("pthread_create (the reaper thread)", err);
    }
    return 0;
}

static int spawn_posix_closefrom(char *const argv[]) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addclosefrom_np(&actions, FIRST_FD);
    pid_t pid;
    int err = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) return fail("posix_spawn", err);
    return wait_exit(pid, argv[0]);
#else
    (void) argv;
    return fail("posix_spawn_file_actions_addclosefrom_np (glibc < 2.34)", ENOSYS);
#endif
}

static char *new_stack(void) {
    char *stack = aligned_alloc(64, CHILD_STACK);
    if (!stack) fail("aligned_alloc", ENOMEM);
    return stack;
}

/* The library's method ids: the bench's Java side passes them. FLOOR_READ is the program's only. */
enum spawn_method { FLOOR = 0, FLOOR_PIDFD = 1, POSIX_SPAWN_CLOSEFROM = 2, FLOOR_REAPER = 3, FLOOR_READ = 4 };

/* One spawn of argv[0] by method m: its exit status, or -1 with error set. reaper: FLOOR_REAPER's, whose own
 * eventfd it writes (reaper_wake is FLOOR_PIDFD's), else NULL. */
static int spawn_once(enum spawn_method m, int reaper_wake, struct reaper *reaper, char *stack, char *const argv[]) {
    switch (m) {
    case FLOOR: return spawn_floor(stack, argv);
    case FLOOR_PIDFD: return spawn_floor_pidfd(reaper_wake, NULL, stack, argv);
    case FLOOR_REAPER: return spawn_floor_pidfd(reaper->wake, reaper, stack, argv);
    case FLOOR_READ: return spawn_floor_pidfd(-1, NULL, stack, argv);
    case POSIX_SPAWN_CLOSEFROM: return spawn_posix_closefrom(argv);
    }
    snprintf(error, sizeof error, "unknown spawn method %d", (int)m);
    return -1;
}

#ifdef FDKIT_ANCHOR_LIBRARY
/* ---- the library: one spawn per call, from whichever thread calls ---------------------------------------------- */

/* Each calling thread's child stack: allocated on its first spawn, freed when the thread exits. */
static pthread_key_t stack_key;
static pthread_once_t stack_key_once = PTHREAD_ONCE_INIT;
static int stack_key_error;

static void make_stack_key(void) {
    stack_key_error = pthread_key_create(&stack_key, free);
}

static char *calling_thread_stack(void) {
    pthread_once(&stack_key_once, make_stack_key);
    if (stack_key_error != 0) {
        fail("pthread_key_create", stack_key_error);
        return NULL;
    }
    char *stack = pthread_getspecific(stack_key);
    if (stack) return stack;
    if (!(stack = new_stack())) return NULL;
    int err = pthread_setspecific(stack_key, stack);
    if (err != 0) {
        free(stack);
        fail("pthread_setspecific", err);
        return NULL;
    }
    return stack;
}

/* The reaper's wake-up, made on the first floor-pidfd spawn and kept as long as the process, as fdkit's is. */
static pthread_once_t library_wake_once = PTHREAD_ONCE_INIT;
static int library_wake = -1;
static char library_wake_error[sizeof error];

static void make_library_wake(void) {
    int epoll_set;
    library_wake = make_reaper_wake(&epoll_set);
    if (library_wake < 0) snprintf(library_wake_error, sizeof library_wake_error, "%s", error);
}

/* floor-reaper's thread, started on the first floor-reaper spawn and kept as long as the process, as fdkit's is. */
static pthread_once_t library_reaper_once = PTHREAD_ONCE_INIT;
static struct reaper library_reaper;
static int library_reaper_started;
static char library_reaper_error[sizeof error];

static void start_library_reaper(void) {
    library_reaper_started = start_reaper(&library_reaper) == 0;
    if (!library_reaper_started) snprintf(library_reaper_error, sizeof library_reaper_error, "%s", error);
}

/*
 * Starts path (argv: path alone) by method (0 floor, 1 floor-pidfd, 2 posix_spawn+closefrom_np, 3 floor-reaper)
 * from the calling thread and waits for it: its exit status (127 if exec failed), or -1 with fdkit_anchor_error()
 * saying why.
 */
__attribute__((visibility("default")))
int fdkit_anchor_spawn_once(int method, const char *path) {
    if (method < FLOOR || method > FLOOR_REAPER) {
        snprintf(error, sizeof error,
                 "unknown spawn method %d (0 floor, 1 floor-pidfd, 2 posix_spawn+closefrom_np, 3 floor-reaper)",
                 method);
        return -1;
    }
    if (path == NULL) {
        snprintf(error, sizeof error, "path is NULL");
        return -1;
    }
    char *stack = calling_thread_stack();
    if (!stack) return -1;
    if (method == FLOOR_PIDFD) {
        pthread_once(&library_wake_once, make_library_wake);
        if (library_wake < 0) {
            snprintf(error, sizeof error, "%s", library_wake_error);
            return -1;
        }
    }
    if (method == FLOOR_REAPER) {
        pthread_once(&library_reaper_once, start_library_reaper);
        if (!library_reaper_started) {
            snprintf(error, sizeof error, "%s", library_reaper_error);
            return -1;
        }
    }
    /* On this thread's stack: the child, sharing the memory, reads it while this thread waits (CLONE_VFORK). */
    char *const argv[] = {(char *)path, NULL};
    return spawn_once((enum spawn_method)method, library_wake, method == FLOOR_REAPER ? &library_reaper : NULL, stack,
                      argv);
}

/* The calling thread's last failure, as fdkit_anchor_spawn_once left it. */
__attribute__((visibility("default")))
const char *fdkit_anchor_error(void) {
    return error;
}

#else /* the program */

static void stop_reaper(struct reaper *r) {
    atomic_store(&r->stop, true);
    uint64_t one = 1;
    while (write(r->wake, &one, sizeof one) < 0 && errno == EINTR) {}
    pthread_join(r->thread, NULL);
    close(r->wake);
    close(r->epfd);
}

static int spawn_block(const char *method, int n, int reps) {
    enum spawn_method m;
    if (strcmp(method, "floor") == 0) m = FLOOR;
    else if (strcmp(method, "floor-pidfd") == 0) m = FLOOR_PIDFD;
    else if (strcmp(method, "floor-reaper") == 0) m = FLOOR_REAPER;
    else if (strcmp(method, "floor-read") == 0) m = FLOOR_READ;
    else if (strcmp(method, "posix_spawn+closefrom_np") == 0) m = POSIX_SPAWN_CLOSEFROM;
    else {
        snprintf(error, sizeof error, "unknown spawn method '%s'", method);
        return -1;
    }
    char *stack = new_stack();
    if (!stack) return -1;
    int result = hold_files(n) < 0 ? -1 : reps;
    int held_epoll_set; /* above the held files, closed with them by release_held */
    if (result >= 0 && m == FLOOR_PIDFD && held_wake < 0 && (held_wake = make_reaper_wake(&held_epoll_set)) < 0) {
        result = -1;
    }
    int reaper_wake = held_wake;
    /* floor-reaper's thread and its two descriptors live for the block (above the held files, closed at its end). */
    struct reaper reaper;
    bool reaper_started = false;
    if (result >= 0 && m == FLOOR_REAPER) {
        if (start_reaper(&reaper) < 0) result = -1;
        else reaper_started = true;
    }
    for (int rep = -1; result >= 0 && rep < reps; rep++) {
        long long start = now_ns();
        int r = spawn_once(m, reaper_wake, reaper_started ? &reaper : NULL, stack, true_argv);
        long long elapsed = now_ns() - start;
        if (r < 0) {
            result = -1;
        } else if (r != 0) {
            snprintf(error, sizeof error, "%s exited with status %d", true_argv[0], r);
            result = -1;
        } else if (rep >= 0) {
            times[rep] = elapsed;
        }
    }
    if (reaper_started) stop_reaper(&reaper);
    free(stack);
    return result;
}

struct spawner {
    pthread_t thread;
    pthread_barrier_t *start;
    int spawns;
    int failed;
    long long began, ended; /* each thread's own clock readings: the main thread may be scheduled late */
    char message[256];
};

static void *spawner_main(void *arg) {
    struct spawner *s = arg;
    char *stack = aligned_alloc(64, CHILD_STACK);
    /* One untimed spawn each, then all start together. */
    int ok = stack != NULL && spawn_floor(stack, true_argv) == 0;
    pthread_barrier_wait(s->start);
    s->began = now_ns();
    for (int i = 0; ok && i < s->spawns; i++) ok = spawn_floor(stack, true_argv) == 0;
    s->ended = now_ns();
    if (!ok) {
        s->failed = 1;
        snprintf(s->message, sizeof s->message, "%s", stack ? "a spawning thread failed" : "aligned_alloc failed");
    }
    free(stack);
    return NULL;
}

static int spawn_threads_block(int threads, int n, int spawns) {
    if (threads < 1 || threads > MAX_THREADS) {
        snprintf(error, sizeof error, "threads must be 1..%d, was %d", MAX_THREADS, threads);
        return -1;
    }
    if (hold_files(n) < 0) return -1;
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, threads + 1);
    struct spawner s[MAX_THREADS];
    memset(s, 0, sizeof s);
    int started = 0, result = 1;
    for (; started < threads; started++) {
        s[started].start = &start;
        s[started].spawns = spawns;
        if (pthread_create(&s[started].thread, NULL, spawner_main, &s[started]) != 0) break;
    }
    if (started < threads) {
        /* The barrier can never fill: report and leave (the process exits on error anyway). */
        fail("pthread_create", EAGAIN);
        return -2;
    }
    pthread_barrier_wait(&start);
    /* The block runs from the first thread's start to the last one's end, as the threads saw them: a clock read
     * here after the barrier could come after the spawners had done much of their work. */
    long long first = 0, last = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(s[i].thread, NULL);
        if (i == 0 || s[i].began < first) first = s[i].began;
        if (i == 0 || s[i].ended > last) last = s[i].ended;
    }
    times[0] = last - first;
    pthread_barrier_destroy(&start);
    for (int i = 0; i < threads; i++) {
        if (s[i].failed) {
            snprintf(error, sizeof error, "%s", s[i].message);
            result = -1;
        }
    }
    return result;
}

/* ---- many: live children killed one by one, then at once ---------------------------------------------------- */

#define MAX_CHILDREN (2 * (MAX_REPS - 2)) /* the answer: two figures, then one latency per paced child */
/* A killed child whose pidfd is not readable after this long is taken as a hang: the block fails. */
#define EXIT_TIMEOUT_MS 10000

static char *const sleep_argv[] = {"sleep", "1000", NULL};

struct children {
    int count;    /* started so far */
    pid_t *pids;
    int *pidfds;  /* -1 once closed */
    bool *reaped;
};

/* Reaps the child at i (blocking: called only once it was killed or has exited) and closes its pidfd. */
static int reap_child(struct children *c, int i) {
    int result = 0;
    if (!c->reaped[i]) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        while (waitid(P_PID, (id_t)c->pids[i], &info, WEXITED) < 0) {
            if (errno != EINTR) {
                result = fail("waitid", errno);
                break;
            }
        }
        c->reaped[i] = true;
        if (result == 0 && (info.si_code != CLD_KILLED || info.si_status != SIGKILL)) {
            snprintf(error, sizeof error, "child %d ended with code %d, status %d, not killed by SIGKILL",
                     (int)c->pids[i], info.si_code, info.si_status);
            result = -1;
        }
    }
    if (c->pidfds[i] >= 0) close(c->pidfds[i]);
    c->pidfds[i] = -1;
    return result;
}

/* Kills and reaps every child not reaped yet, closes every pidfd and frees the table: nothing is left behind. */
static void release_children(struct children *c) {
    char first_error[sizeof error]; /* the failure that brought us here, not what the cleanup meets */
    memcpy(first_error, error, sizeof error);
    for (int i = 0; i < c->count; i++) {
        if (!c->reaped[i]) kill(c->pids[i], SIGKILL); /* not reaped, so the pid is still this child's */
    }
    for (int i = 0; i < c->count; i++) reap_child(c, i);
    memcpy(error, first_error, sizeof error);
    free(c->pids);
    free(c->pidfds);
    free(c->reaped);
}

/* Starts n sleeping children, each with a pidfd; on failure those started so far are left in c for the caller. */
static int start_children(struct children *c, int n) {
    posix_spawn_file_actions_t actions;
    int err = posix_spawn_file_actions_init(&actions);
    if (err != 0) return fail("posix_spawn_file_actions_init", err);
    if ((err = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)) != 0
            || (err = posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)) != 0
            || (err = posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return fail("posix_spawn_file_actions_addopen", err);
    }
    int result = 0;
    while (c->count < n) {
        pid_t pid;
        if ((err = posix_spawnp(&pid, sleep_argv[0], &actions, NULL, sleep_argv, environ)) != 0) {
            result = fail("posix_spawnp sleep", err);
            break;
        }
        int i = c->count++;
        c->pids[i] = pid;
        c->reaped[i] = false;
        c->pidfds[i] = (int)syscall(SYS_pidfd_open, pid, 0);
        if (c->pidfds[i] < 0) {
            result = fail("pidfd_open", errno);
            break;
        }
    }
    posix_spawn_file_actions_destroy(&actions);
    return result;
}

/*
 * Waits until a killed child's pidfd polls readable; a failure once the kill stored in *killed_at (0 until the
 * kill, which another thread may make) is EXIT_TIMEOUT_MS old. Bounded: every child waited for is killed, on the
 * killing side's failures too.
 */
static int await_killed_exit(int pidfd, const long long *killed_at) {
    for (;;) {
        struct pollfd exited = {.fd = pidfd, .events = POLLIN};
        int r = poll(&exited, 1, 100);
        if (r > 0) return 0;
        if (r < 0 && errno != EINTR) return fail("poll", errno);
        long long killed = __atomic_load_n(killed_at, __ATOMIC_ACQUIRE);
        if (killed != 0 && now_ns() - killed > EXIT_TIMEOUT_MS * 1000000LL) {
            return fail("a killed child's pidfd never became readable", ETIMEDOUT);
        }
    }
}

/* Waits until the pidfds of children from..n-1 have all polled readable; returns when the last one did. */
static int await_all_exits(struct children *c, int from) {
    int n = c->count - from;
    struct pollfd *fds = calloc(n, sizeof *fds);
    if (!fds) return fail("calloc", ENOMEM);
    for (int i = 0; i < n; i++) fds[i] = (struct pollfd){.fd = c->pidfds[from + i], .events = POLLIN};
    long long deadline = now_ns() + EXIT_TIMEOUT_MS * 1000000LL;
    int left = n, result = 0;
    while (left > 0) {
        long long time_left = deadline - now_ns();
        int r = poll(fds, n, time_left > 0 ? (int)((time_left + 999999) / 1000000) : 0);
        if (r < 0 && errno != EINTR) {
            result = fail("poll", errno);
            break;
        }
        if (r == 0 && time_left <= 0) {
            result = fail("killed children's pidfds never all became readable", ETIMEDOUT);
            break;
        }
        for (int i = 0; r > 0 && i < n; i++) {
            if (fds[i].revents != 0) {
                fds[i].fd = -1; /* poll skips it from now on */
                left--;
            }
        }
    }
    free(fds);
    return result;
}

/*
 * The paced half's waiter on a thread of its own (the "waiter" form of the request): it waits on each child's
 * pidfd in kill order, as a reaper thread waits for exits it did not cause, times the kill (its time, stored by
 * the killing thread just before the kill) to the pidfd readable, and reaps the child. The exit then has to wake
 * a thread that sleeps, maybe on the other CPU, as fdkit's reaper and the JDK's waiting threads are woken.
 */
struct paced_waiter {
    struct children *c;
    int half;
    long long *killed_at; /* 0 until the killing thread kills the child */
    int result;
    char message[sizeof error];
};

static void *paced_waiter_main(void *arg) {
    struct paced_waiter *w = arg;
    w->result = 0;
    for (int i = 0; w->result == 0 && i < w->half; i++) {
        if ((w->result = await_killed_exit(w->c->pidfds[i], &w->killed_at[i])) < 0) break;
        long long readable = now_ns();
        times[2 + i] = readable - __atomic_load_n(&w->killed_at[i], __ATOMIC_ACQUIRE);
        w->result = reap_child(w->c, i);
    }
    if (w->result < 0) memcpy(w->message, error, sizeof error);
    return NULL;
}

/*
 * The paced half: one kill every pace_ns, each timed to the child's pidfd readable and the child reaped, by this
 * thread or, with waiter_thread, by a paced_waiter of its own. On a failure of the killing side the waiter's
 * children not yet killed are killed at once, so that it finishes; the first failure is the one reported.
 */
static int paced_kills(struct children *c, int half, long long pace_ns, bool waiter_thread) {
    long long *killed_at = calloc(half, sizeof *killed_at);
    if (!killed_at) return fail("calloc", ENOMEM);
    struct paced_waiter w = {.c = c, .half = half, .killed_at = killed_at};
    pthread_t waiter;
    int err = waiter_thread ? pthread_create(&waiter, NULL, paced_waiter_main, &w) : 0;
    if (err != 0) {
        free(killed_at);
        return fail("pthread_create", err);
    }
    int result = 0, i = 0;
    for (long long next = now_ns(); i < half; i++) {
        struct timespec at = {.tv_sec = next / 1000000000LL, .tv_nsec = next % 1000000000LL};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR) {}
        long long killed = now_ns();
        __atomic_store_n(&killed_at[i], killed, __ATOMIC_RELEASE);
        if (syscall(SYS_pidfd_send_signal, c->pidfds[i], SIGKILL, NULL, 0) < 0) {
            result = fail("pidfd_send_signal", errno);
            break;
        }
        if (!waiter_thread) {
            if ((result = await_killed_exit(c->pidfds[i], &killed_at[i])) < 0) break;
            times[2 + i] = now_ns() - killed;
            if ((result = reap_child(c, i)) < 0) break;
        }
        next = killed + pace_ns;
    }
    if (waiter_thread) {
        for (int k = i; k < half; k++) { /* after a failure: the waiter's children die now, so it ends */
            __atomic_store_n(&killed_at[k], now_ns(), __ATOMIC_RELEASE);
            kill(c->pids[k], SIGKILL); /* not reaped yet (the waiter reaps after this), so still this child's pid */
        }
        pthread_join(waiter, NULL);
        if (result == 0 && w.result < 0) {
            memcpy(error, w.message, sizeof error);
            result = -1;
        }
    }
    free(killed_at);
    return result;
}

static int many_block(int n, long long pace_us, bool waiter_thread) {
    struct children c = {0};
    c.pids = calloc(n, sizeof *c.pids);
    c.pidfds = calloc(n, sizeof *c.pidfds);
    c.reaped = calloc(n, sizeof *c.reaped);
    if (!c.pids || !c.pidfds || !c.reaped) {
        release_children(&c);
        return fail("calloc", ENOMEM);
    }
    long long start = now_ns();
    int result = start_children(&c, n);
    times[0] = now_ns() - start;
    if (result == 0) {
        /* Whatever a child does at its start (its exec) is done before the first kill, as on the Java side. */
        struct timespec settle = {.tv_sec = 0, .tv_nsec = 200000000};
        nanosleep(&settle, NULL);
    }
    int half = n / 2;
    if (result == 0) result = paced_kills(&c, half, pace_us * 1000, waiter_thread);
    if (result == 0) {
        long long last_kill = 0;
        for (int i = half; result == 0 && i < n; i++) {
            last_kill = now_ns();
            if (syscall(SYS_pidfd_send_signal, c.pidfds[i], SIGKILL, NULL, 0) < 0) result = fail("pidfd_send_signal", errno);
        }
        if (result == 0 && (result = await_all_exits(&c, half)) == 0) times[1] = now_ns() - last_kill;
        for (int i = half; i < n; i++) {
            int r = reap_child(&c, i);
            if (result == 0) result = r;
        }
    }
    release_children(&c);
    return result < 0 ? -1 : 2 + half;
}

/* ---- requests -------------------------------------------------------------------------------------------------- */

static int serve(char *line) {
    char method[64];
    int n, reps, slots, threads;
    if (sscanf(line, "close %63s %d %d", method, &n, &reps) == 3 && n >= 0 && reps >= 1 && reps <= MAX_REPS)
        return release_held() < 0 ? -1 : close_block(method, n, reps);
    if (sscanf(line, "list %d %d %d", &n, &reps, &slots) == 3 && n >= 0 && reps >= 1 && reps <= MAX_REPS)
        return release_held() < 0 ? -1 : list_block(n, reps, slots);
    if (sscanf(line, "spawn-threads %d %d %d", &threads, &n, &reps) == 3 && n >= 0 && reps >= 1)
        return spawn_threads_block(threads, n, reps);
    long long pace_us;
    char form[16] = "";
    int fields = sscanf(line, "many %d %lld %15s", &n, &pace_us, form);
    if (fields >= 2 && n >= 2 && n <= MAX_CHILDREN && pace_us >= 0 && (fields == 2 || strcmp(form, "waiter") == 0))
        return release_held() < 0 ? -1 : many_block(n, pace_us, fields == 3);
    if (sscanf(line, "spawn %63s %d %d", method, &n, &reps) == 3 && n >= 0 && reps >= 1 && reps <= MAX_REPS)
        return spawn_block(method, n, reps);
    snprintf(error, sizeof error, "bad request '%.200s'", line);
    return -1;
}

int main(void) {
    /* Only stdin, stdout and stderr may be open: every close above acts from 3 up. */
    if (close_from_first(0) < 0) {
        fprintf(stderr, "fdkit-anchor: %s\n", error);
        return 1;
    }
    char line[512];
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        int count = serve(line);
        if (count < 0) {
            printf("error %s\n", error);
            fflush(stdout);
            if (count == -2) return 1;
            continue;
        }
        fputs("ok", stdout);
        for (int i = 0; i < count; i++) printf(" %lld", times[i]);
        putchar('\n');
        fflush(stdout);
    }
    return 0;
}
#endif /* FDKIT_ANCHOR_LIBRARY */
