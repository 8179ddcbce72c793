/*
 * faultrun: sets up one hostile condition for real, then execs a program (a JVM) in it.
 *
 *   faultrun [--deny SYSCALL:ERRNO]... [--high-fd N]... [--nofile SOFT:HARD] [--hide-proc]
 *            [--noexec-tmp DIR] [--pid-env NAME] -- PROGRAM [ARG...]
 *
 * --deny        a seccomp filter answers SYSCALL (close_range, clone3, pidfd_open, pidfd_send_signal,
 *               memfd_create, getdents64, eventfd2, epoll_create1) with ERRNO (EPERM or ENOSYS), as container
 *               runtimes' profiles do
 * --high-fd     /dev/null opened at descriptor N (not close-on-exec), before the limit is lowered
 * --nofile      setrlimit(RLIMIT_NOFILE) to SOFT:HARD
 * --hide-proc   a private mount namespace with an empty tmpfs over /proc (needs CAP_SYS_ADMIN)
 * --noexec-tmp  a tmpfs mounted noexec on DIR, in a private mount namespace (needs CAP_SYS_ADMIN)
 * --pid-env     the environment variable NAME set to this process's pid, which PROGRAM keeps (LISTEN_PID)
 *
 * Exit 77 with one line on stderr when the condition cannot be made here (no privilege, unknown system call on
 * this architecture); 78 for a bad command line. Otherwise PROGRAM's exit status (this process becomes it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define FAULTRUN_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FAULTRUN_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "faultrun knows the seccomp architecture of x86_64 and aarch64 only"
#endif

#define SKIP 77
#define USAGE 78
#define MAX_DENY 16

struct deny { long nr; int err; };

static long syscall_number(const char *name) {
#define KNOWN(n) if (strcmp(name, #n) == 0) return __NR_##n;
#ifdef __NR_close_range
    KNOWN(close_range)
#endif
#ifdef __NR_clone3
    KNOWN(clone3)
#endif
#ifdef __NR_pidfd_open
    KNOWN(pidfd_open)
#endif
#ifdef __NR_pidfd_send_signal
    KNOWN(pidfd_send_signal)
#endif
    KNOWN(memfd_create)
    KNOWN(getdents64)
    KNOWN(eventfd2)
    KNOWN(epoll_create1)
#undef KNOWN
    return -1;
}

static int errno_number(const char *name) {
    if (strcmp(name, "EPERM") == 0) return EPERM;
    if (strcmp(name, "ENOSYS") == 0) return ENOSYS;
    return -1;
}

static int install_filter(const struct deny *d, int n) {
    /* load arch; foreign arch -> allow; load nr; one compare-and-return per denied call; allow */
    struct sock_filter prog[4 + 2 * MAX_DENY + 1];
    int k = 0;
    prog[k++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    prog[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FAULTRUN_AUDIT_ARCH, 1, 0);
    prog[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    prog[k++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    for (int i = 0; i < n; i++) {
        prog[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned) d[i].nr, 0, 1);
        prog[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (d[i].err & SECCOMP_RET_DATA));
    }
    prog[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog fprog = { .len = (unsigned short) k, .filter = prog };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog);
}

static int private_mounts(void) {
    if (unshare(CLONE_NEWNS) != 0) return -1;
    return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

int main(int argc, char **argv) {
    struct deny deny[MAX_DENY];
    int ndeny = 0, hide_proc = 0, argi = 1;
    const char *noexec_tmp = NULL;
    long soft = -1, hard = -1;
    for (; argi < argc && strcmp(argv[argi], "--") != 0; argi++) {
        const char *opt = argv[argi], *val = argi + 1 < argc ? argv[argi + 1] : NULL;
        if (strcmp(opt, "--hide-proc") == 0) {
            hide_proc = 1;
            continue;
        }
        if (val == NULL) {
            fprintf(stderr, "faultrun: %s needs a value\n", opt);
            return USAGE;
        }
        argi++;
        if (strcmp(opt, "--deny") == 0) {
            char name[64];
            const char *colon = strchr(val, ':');
            if (colon == NULL || colon - val >= (long) sizeof name || ndeny == MAX_DENY) {
                fprintf(stderr, "faultrun: --deny %s: expected SYSCALL:ERRNO\n", val);
                return USAGE;
            }
            memcpy(name, val, colon - val);
            name[colon - val] = 0;
            long nr = syscall_number(name);
            int err = errno_number(colon + 1);
            if (nr < 0) {
                fprintf(stderr, "faultrun: system call %s is unknown on this architecture\n", name);
                return SKIP;
            }
            if (err < 0) {
                fprintf(stderr, "faultrun: --deny %s: errno must be EPERM or ENOSYS\n", val);
                return USAGE;
            }
            deny[ndeny].nr = nr;
            deny[ndeny++].err = err;
        } else if (strcmp(opt, "--high-fd") == 0) {
            int want = atoi(val), fd = open("/dev/null", O_RDONLY);
            if (fd < 0 || dup2(fd, want) != want) {
                fprintf(stderr, "faultrun: cannot open descriptor %d: %s\n", want, strerror(errno));
                return SKIP;
            }
            if (fd != want) close(fd);
        } else if (strcmp(opt, "--nofile") == 0) {
            if (sscanf(val, "%ld:%ld", &soft, &hard) != 2 || soft < 0 || hard < soft) {
                fprintf(stderr, "faultrun: --nofile %s: expected SOFT:HARD\n", val);
                return USAGE;
            }
        } else if (strcmp(opt, "--pid-env") == 0) {
            char pid[24];
            snprintf(pid, sizeof pid, "%d", (int) getpid());
            if (setenv(val, pid, 1) != 0) {
                fprintf(stderr, "faultrun: setenv %s: %s\n", val, strerror(errno));
                return USAGE;
            }
        } else if (strcmp(opt, "--noexec-tmp") == 0) {
            noexec_tmp = val;
        } else {
            fprintf(stderr, "faultrun: unknown option %s\n", opt);
            return USAGE;
        }
    }
    if (argi + 1 >= argc) {
        fprintf(stderr, "faultrun: no program after --\n");
        return USAGE;
    }
    if (hide_proc || noexec_tmp != NULL) {
        if (private_mounts() != 0) {
            fprintf(stderr, "faultrun: no private mount namespace here (%s); needs root or CAP_SYS_ADMIN\n",
                    strerror(errno));
            return SKIP;
        }
        if (hide_proc && mount("none", "/proc", "tmpfs", MS_NOSUID | MS_NODEV, "size=16k") != 0) {
            fprintf(stderr, "faultrun: cannot cover /proc with a tmpfs: %s\n", strerror(errno));
            return SKIP;
        }
        if (noexec_tmp != NULL && mount("none", noexec_tmp, "tmpfs", MS_NOEXEC | MS_NOSUID | MS_NODEV, NULL) != 0) {
            fprintf(stderr, "faultrun: cannot mount a noexec tmpfs on %s: %s\n", noexec_tmp, strerror(errno));
            return SKIP;
        }
    }
    if (soft >= 0) {
        struct rlimit rl = { .rlim_cur = (rlim_t) soft, .rlim_max = (rlim_t) hard };
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
            fprintf(stderr, "faultrun: setrlimit(RLIMIT_NOFILE, %ld:%ld): %s\n", soft, hard, strerror(errno));
            return SKIP;
        }
    }
    if (ndeny > 0 && install_filter(deny, ndeny) != 0) {
        fprintf(stderr, "faultrun: cannot install a seccomp filter: %s\n", strerror(errno));
        return SKIP;
    }
    execv(argv[argi + 1], argv + argi + 1);
    fprintf(stderr, "faultrun: exec %s: %s\n", argv[argi + 1], strerror(errno));
    return 127;
}
