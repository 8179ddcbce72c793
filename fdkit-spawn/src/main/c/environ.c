/* Parent side: the environment a child gets when the plan names none (FDKIT_PLAN_ENVIRON_NO_LISTEN). */
#include <stdlib.h>
#include <string.h>

#include "parent_side.h"

extern char **environ;

/* The names a child must not inherit from this process: they describe this process's own descriptors. */
static const char *const LISTEN_NAMES[] = {"LISTEN_PID=", "LISTEN_FDS=", "LISTEN_FDNAMES="};

/* Bounds the walk over environ, as the Java side's reading of it does. */
#define MAX_ENTRIES (1 << 20)

static int is_listen_entry(const char *e) {
    if (strncmp(e, "LISTEN_", 7) != 0) return 0; /* the common answer, after at most 7 bytes */
    for (size_t i = 0; i < sizeof LISTEN_NAMES / sizeof LISTEN_NAMES[0]; i++) {
        if (strncmp(e, LISTEN_NAMES[i], strlen(LISTEN_NAMES[i])) == 0) return 1;
    }
    return 0;
}

char *const *fdkit_child_envp(const struct fdkit_plan *p, char ***owned) {
    *owned = NULL;
    if (p->envp) return p->envp;
    static char *const empty[] = {NULL};
    char **env = environ;
    if (!env) return empty; /* after clearenv(3) */
    if (!(p->flags & FDKIT_PLAN_ENVIRON_NO_LISTEN)) return env;
    size_t n = 0, listen = 0;
    for (; n < MAX_ENTRIES && env[n]; n++) listen += (size_t)is_listen_entry(env[n]);
    if (listen == 0) return env;
    char **copy = malloc(sizeof(char *) * (n - listen + 1));
    if (!copy) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_listen_entry(env[i])) copy[k++] = env[i];
    }
    copy[k] = NULL;
    *owned = copy;
    return copy;
}
