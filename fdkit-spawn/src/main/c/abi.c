/* The ABI of fdkit_spawn.h as this compiler lays it out, for the test that compares it with SpawnAbi.java. */
#include <stddef.h>

#include "parent_side.h"

#define STRUCT(s) {#s, 0, sizeof(struct s)}
#define FIELD(s, f) {#s "." #f, offsetof(struct s, f), sizeof(((struct s *)0)->f)}

static const struct fdkit_abi_field LAYOUT[] = {
    STRUCT(fdkit_map),
    FIELD(fdkit_map, from),
    FIELD(fdkit_map, to),
    FIELD(fdkit_map, flags),
    STRUCT(fdkit_result),
    FIELD(fdkit_result, pid),
    FIELD(fdkit_result, pidfd),
    FIELD(fdkit_result, error),
    FIELD(fdkit_result, step),
    FIELD(fdkit_result, arg),
    STRUCT(fdkit_plan),
    FIELD(fdkit_plan, paths),
    FIELD(fdkit_plan, argv),
    FIELD(fdkit_plan, envp),
    FIELD(fdkit_plan, dir),
    FIELD(fdkit_plan, listen_pid),
    FIELD(fdkit_plan, maps),
    FIELD(fdkit_plan, keep),
    FIELD(fdkit_plan, addclosefrom_np),
    FIELD(fdkit_plan, addchdir_np),
    FIELD(fdkit_plan, sig_default),
    FIELD(fdkit_plan, sig_mask),
    FIELD(fdkit_plan, nofile_soft),
    FIELD(fdkit_plan, nofile_hard),
    FIELD(fdkit_plan, npaths),
    FIELD(fdkit_plan, nmaps),
    FIELD(fdkit_plan, nkeep),
    FIELD(fdkit_plan, first),
    FIELD(fdkit_plan, hi),
    FIELD(fdkit_plan, flags),
    FIELD(fdkit_plan, fail_step),
    FIELD(fdkit_plan, fail_error),
    FIELD(fdkit_plan, result),
    STRUCT(fdkit_abi_field),
    FIELD(fdkit_abi_field, name),
    FIELD(fdkit_abi_field, offset),
    FIELD(fdkit_abi_field, size),
    STRUCT(fdkit_abi_constant),
    FIELD(fdkit_abi_constant, name),
    FIELD(fdkit_abi_constant, value),
};

#define CONSTANT(c) {#c, c}

static const struct fdkit_abi_constant CONSTANTS[] = {
    CONSTANT(FDKIT_FROM_DEVNULL),
    CONSTANT(FDKIT_MAP_MOVE_FIRST),
    CONSTANT(FDKIT_MAP_OPTIONAL),
    CONSTANT(FDKIT_PLAN_SET_NOFILE),
    CONSTANT(FDKIT_PLAN_PATH_SEARCH),
    CONSTANT(FDKIT_PLAN_ENVIRON_NO_LISTEN),
    CONSTANT(FDKIT_STEP_NONE),
    CONSTANT(FDKIT_STEP_STACK),
    CONSTANT(FDKIT_STEP_CLONE),
    CONSTANT(FDKIT_STEP_UNSHARE),
    CONSTANT(FDKIT_STEP_MOVE),
    CONSTANT(FDKIT_STEP_PLACE),
    CONSTANT(FDKIT_STEP_DEVNULL),
    CONSTANT(FDKIT_STEP_CHDIR),
    CONSTANT(FDKIT_STEP_RLIMIT),
    CONSTANT(FDKIT_STEP_EXEC),
    CONSTANT(FDKIT_STEP_THREAD),
    CONSTANT(FDKIT_STEP_FILE_ACTIONS),
};

EXPORT const struct fdkit_abi_field *fdkit_abi_layout(int32_t *count) {
    *count = (int32_t)(sizeof LAYOUT / sizeof LAYOUT[0]);
    return LAYOUT;
}

EXPORT const struct fdkit_abi_constant *fdkit_abi_constants(int32_t *count) {
    *count = (int32_t)(sizeof CONSTANTS / sizeof CONSTANTS[0]);
    return CONSTANTS;
}
