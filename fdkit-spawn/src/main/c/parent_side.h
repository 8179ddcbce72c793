/* Helpers shared by the parent-side files (clone.c, posix_spawn.c): they run in the calling JVM thread. */
#ifndef FDKIT_PARENT_SIDE_H
#define FDKIT_PARENT_SIDE_H

#include "child_side.h"

#define EXPORT __attribute__((visibility("default")))

/* Clears plan->result for a new call. */
void fdkit_result_reset(struct fdkit_plan *p);

/* Records a failed step in plan->result; returns -1. err is -errno. */
int fdkit_fail(struct fdkit_plan *p, int step, int arg, long err);

/*
 * The environment the child gets: plan->envp, else environ as it is now, without the socket-activation entries
 * when the plan says so. Such entries are rare, so environ itself is used whenever it has none; otherwise a
 * filtered copy is returned and also stored in *owned, for the caller to free. NULL when that copy cannot be made.
 */
char *const *fdkit_child_envp(const struct fdkit_plan *p, char ***owned);

#endif
