#!/usr/bin/env bash
# Tests the aarch64 build of the spawn helper for real, under qemu-user: links the C test driver
# (fdkit-spawn/src/test/c/spawn_driver.c) against the aarch64 libfdkitspawn.so from the build and runs it with
# qemu-aarch64 and Debian's aarch64 C library; the same driver runs natively against the amd64 build.
# qemu-user cannot emulate clone(CLONE_VM) without CLONE_THREAD (EINVAL), so there the clone mechanism's probe must
# refuse and the posix-spawn mechanism must start the child with exactly the descriptors named.
# Run by bin/test after the build; skips with the reason where qemu-user or the cross compiler is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
native="$root/fdkit-spawn/target/classes/dev/fdkit/spawn/native"
src="$root/fdkit-spawn/src/main/c"
driver_src="$root/fdkit-spawn/src/test/c/spawn_driver.c"
sysroot=/usr/aarch64-linux-gnu
skip() { echo "aarch64-test: skipped: $*"; exit 0; }
fail() { echo "aarch64-test: FAILED: $*" >&2; exit 1; }

command -v qemu-aarch64 >/dev/null || skip "qemu-aarch64 is missing (Debian's qemu-user; bin/lib/test-deps.sh installs it)"
command -v aarch64-linux-gnu-gcc >/dev/null || skip "aarch64-linux-gnu-gcc is missing (Debian's gcc-aarch64-linux-gnu)"
[ -d "$sysroot/lib" ] || skip "$sysroot is missing (Debian's libc6-dev-arm64-cross)"
[ -f "$src/fdkit_spawn.h" ] || skip "the helper declares no ABI header (fdkit_spawn.h) to drive it by"
for arch in aarch64 amd64; do
  [ -f "$native/linux-$arch/libfdkitspawn.so" ] || fail "the build made no $native/linux-$arch/libfdkitspawn.so"
done
machine=$(readelf -h "$native/linux-aarch64/libfdkitspawn.so" | sed -n 's/^ *Machine: *//p')
[ "$machine" = AArch64 ] || fail "linux-aarch64/libfdkitspawn.so is built for '$machine', not AArch64"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build() { # $1 compiler, $2 arch dir, $3 output
  "$1" -std=gnu11 -O2 -Wall -Wextra -Werror -I "$src" -o "$3" "$driver_src" -L "$native/$2" -lfdkitspawn \
      -Wl,-rpath,"$native/$2" -ldl
}
check() { # $1 label, $2 output, $3 1 when the clone mechanism must work
  local out=$2
  grep -qx 'posix-spawn: exit=7 fds=0 1 2 3 5' <<<"$out" || fail "$1: posix-spawn did not give the child exactly 0 1 2 5 (and ls's own 3):
$out"
  if [ "$3" = 1 ]; then
    grep -qx 'clone: exit=7 fds=0 1 2 3 5' <<<"$out" || fail "$1: the clone mechanism did not run the child as planned:
$out"
  else
    grep -qx 'clone: exit=7 fds=0 1 2 3 5' <<<"$out" \
      || grep -q '^clone: refused here' <<<"$out" || fail "$1: the clone probe neither worked nor refused:
$out"
  fi
  echo "$out" | sed "s/^/aarch64-test: $1: /"
}

build gcc linux-amd64 "$work/driver-amd64"
check "amd64 (native)" "$("$work/driver-amd64")" 1
build aarch64-linux-gnu-gcc linux-aarch64 "$work/driver-aarch64"
check "aarch64 (qemu-user)" "$(qemu-aarch64 -L "$sysroot" "$work/driver-aarch64")" 0
