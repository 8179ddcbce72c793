#!/usr/bin/env bash
# Compiles the spawn child helper into one shared library per supported architecture:
#   $1/linux-amd64/libfdkitspawn.so and $1/linux-aarch64/libfdkitspawn.so (os.arch's names; the loader picks by it).
# The build machine's architecture uses gcc; the other one Debian's cross compiler (gcc-x86_64-linux-gnu or
# gcc-aarch64-linux-gnu), installed here with apt-get when it is missing and we are root.
# FDKIT_NATIVE_ARCHES="amd64" (or "aarch64") builds only those, for a machine where no cross compiler can be had;
# the jar then lacks the others, and fdkit-spawn falls back to posix_spawn there.
# Called by the Maven build (generate-resources) with the output directory as $1; every *.c here is compiled,
# with this directory on the include path.
set -euo pipefail
out=${1:?output directory}
here=$(cd "$(dirname "$0")" && pwd)
srcs=("$here"/*.c)
[ -e "${srcs[0]}" ] || { echo "fdkit-spawn: no C sources in $here" >&2; exit 1; }

case "$(uname -m)" in
  x86_64) host=amd64 ;;
  aarch64) host=aarch64 ;;
  *) host=$(uname -m) ;;
esac
arches=${FDKIT_NATIVE_ARCHES:-amd64 aarch64}

compiler_for() { # prints the compiler command for os.arch $1 and the Debian package that provides it
  case "$1" in
    "$host") echo "gcc gcc" ;;
    amd64) echo "x86_64-linux-gnu-gcc gcc-x86-64-linux-gnu" ;;
    aarch64) echo "aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu" ;;
    *) echo "fdkit-spawn: unsupported architecture '$1' in FDKIT_NATIVE_ARCHES (amd64, aarch64)" >&2; return 1 ;;
  esac
}

ensure_compiler() { # $1 compiler, $2 Debian package
  command -v "$1" >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "fdkit-spawn: installing $2 (Debian) to build the helper for every architecture..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" </dev/null >&2 \
      || { apt-get update -q </dev/null >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" </dev/null >&2; } \
      || true
  fi
  command -v "$1" >/dev/null && return 0
  echo "fdkit-spawn: $1 is needed to build the spawn helper; install Debian's $2 (apt-get install $2)," \
       "or build for this machine only with FDKIT_NATIVE_ARCHES=$host." >&2
  return 1
}

for arch in $arches; do
  read -r cc pkg < <(compiler_for "$arch")
  ensure_compiler "$cc" "$pkg"
  dir="$out/linux-$arch"
  mkdir -p "$dir"
  # -fno-stack-protector: a failed canary check calls into libc (__stack_chk_fail), which the child side must
  # never do between clone and exec; -O2 for the parent side.
  "$cc" -std=gnu11 -O2 -fPIC -shared -pthread -Wall -Wextra -Werror -fno-stack-protector -fvisibility=hidden \
      -I "$here" -o "$dir/libfdkitspawn.so.tmp" "${srcs[@]}"
  mv -f "$dir/libfdkitspawn.so.tmp" "$dir/libfdkitspawn.so"
done
