package dev.fdkit.spawn.internal;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The Java description of the helper's ABI (src/main/c/fdkit_spawn.h): the same structs as {@link MemoryLayout}s
 * and the same constants, named as in C without the {@code FDKIT_} prefix. A test compares every size, offset and
 * value here with what the compiled library reports; change both sides together.
 */
final class SpawnAbi {
    private SpawnAbi() {}

    /** {@code fdkit_map.from}: the child opens /dev/null. */
    static final int FROM_DEVNULL = -1;
    static final int MAP_MOVE_FIRST = 1, MAP_OPTIONAL = 2;
    static final int PLAN_SET_NOFILE = 1, PLAN_PATH_SEARCH = 2, PLAN_ENVIRON_NO_LISTEN = 4;

    /** {@code enum fdkit_step}: what failed; fdkit_spawn.h says what the result's arg means for each. */
    static final int STEP_NONE = 0, STEP_STACK = 1, STEP_CLONE = 2, STEP_UNSHARE = 3, STEP_MOVE = 4, STEP_PLACE = 5,
            STEP_DEVNULL = 6, STEP_CHDIR = 7, STEP_RLIMIT = 8, STEP_EXEC = 9, STEP_THREAD = 10,
            STEP_FILE_ACTIONS = 11;

    static final StructLayout MAP = MemoryLayout.structLayout(
            JAVA_INT.withName("from"), JAVA_INT.withName("to"), JAVA_INT.withName("flags")).withName("fdkit_map");

    static final StructLayout RESULT = MemoryLayout.structLayout(
            JAVA_INT.withName("pid"), JAVA_INT.withName("pidfd"), JAVA_INT.withName("error"),
            JAVA_INT.withName("step"), JAVA_INT.withName("arg")).withName("fdkit_result");

    static final StructLayout PLAN = MemoryLayout.structLayout(
            ADDRESS.withName("paths"),
            ADDRESS.withName("argv"),
            ADDRESS.withName("envp"),
            ADDRESS.withName("dir"),
            ADDRESS.withName("listen_pid"),
            ADDRESS.withName("maps"),
            ADDRESS.withName("keep"),
            ADDRESS.withName("addclosefrom_np"),
            ADDRESS.withName("addchdir_np"),
            JAVA_LONG.withName("sig_default"),
            JAVA_LONG.withName("sig_mask"),
            JAVA_LONG.withName("nofile_soft"),
            JAVA_LONG.withName("nofile_hard"),
            JAVA_INT.withName("npaths"),
            JAVA_INT.withName("nmaps"),
            JAVA_INT.withName("nkeep"),
            JAVA_INT.withName("first"),
            JAVA_INT.withName("hi"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("fail_step"),
            JAVA_INT.withName("fail_error"),
            RESULT.withName("result"),
            MemoryLayout.paddingLayout(4)).withName("fdkit_plan");

    /** Rows of fdkit_abi_layout() and fdkit_abi_constants(). */
    static final StructLayout ABI_FIELD = MemoryLayout.structLayout(ADDRESS.withName("name"),
            JAVA_LONG.withName("offset"), JAVA_LONG.withName("size")).withName("fdkit_abi_field");
    static final StructLayout ABI_CONSTANT = MemoryLayout.structLayout(ADDRESS.withName("name"),
            JAVA_LONG.withName("value")).withName("fdkit_abi_constant");

    // Member offsets, for plain ValueLayout reads and writes at a struct's offset in the per-thread block: cheaper
    // per spawn than a VarHandle of each member. Pointers are written as JAVA_LONG (POINTER_IS_LONG).
    static final long PATHS = plan("paths"), ARGV = plan("argv"), ENVP = plan("envp"), DIR = plan("dir"),
            LISTEN_PID = plan("listen_pid"), MAPS = plan("maps"), KEEP = plan("keep"),
            ADDCLOSEFROM_NP = plan("addclosefrom_np"), ADDCHDIR_NP = plan("addchdir_np"),
            SIG_DEFAULT = plan("sig_default"), SIG_MASK = plan("sig_mask"), NOFILE_SOFT = plan("nofile_soft"),
            NOFILE_HARD = plan("nofile_hard"), NPATHS = plan("npaths"), NMAPS = plan("nmaps"), NKEEP = plan("nkeep"),
            FIRST = plan("first"), HI = plan("hi"), FLAGS = plan("flags"), FAIL_STEP = plan("fail_step"),
            FAIL_ERROR = plan("fail_error");
    static final long RESULT_PID = result("pid"), RESULT_PIDFD = result("pidfd"), RESULT_ERROR = result("error"),
            RESULT_STEP = result("step"), RESULT_ARG = result("arg");
    static final long MAP_FROM = map("from"), MAP_TO = map("to"), MAP_FLAGS = map("flags");

    /** The helper is built for 64-bit Linux only (amd64, aarch64): a pointer member is a JAVA_LONG there. */
    static final boolean POINTER_IS_LONG = ADDRESS.byteSize() == JAVA_LONG.byteSize();

    static final VarHandle ABI_FIELD_NAME = ABI_FIELD.varHandle(groupElement("name")),
            ABI_FIELD_OFFSET = ABI_FIELD.varHandle(groupElement("offset")),
            ABI_FIELD_SIZE = ABI_FIELD.varHandle(groupElement("size")),
            ABI_CONSTANT_NAME = ABI_CONSTANT.varHandle(groupElement("name")),
            ABI_CONSTANT_VALUE = ABI_CONSTANT.varHandle(groupElement("value"));

    private static long plan(String name) {
        return PLAN.byteOffset(groupElement(name));
    }

    private static long result(String name) {
        return PLAN.byteOffset(groupElement("result"), groupElement(name));
    }

    private static long map(String name) {
        return MAP.byteOffset(groupElement(name));
    }
}
