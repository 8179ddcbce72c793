#!/usr/bin/env bash
# Compiles the spawn child helper into a shared library for the build machine's architecture.
# Called by the Maven build (generate-resources) with the output directory as $1.
set -euo pipefail
out=${1:?output directory}
here=$(cd "$(dirname "$0")" && pwd)
command -v gcc >/dev/null || { echo "fdkit-spawn: gcc is needed to build the child helper; install it (apt-get install gcc)." >&2; exit 1; }
mkdir -p "$out"
srcs=("$here"/*.c)
[ -e "${srcs[0]}" ] || { echo "fdkit-spawn: no C sources in $here" >&2; exit 1; }
# -fno-stack-protector and -fno-builtin keep the child path free of hidden libc calls; -O2 for the parent side.
gcc -std=gnu11 -O2 -fPIC -shared -pthread -Wall -Wextra -Werror -fno-stack-protector -fvisibility=hidden \
    -o "$out/libfdkitspawn.so.tmp" "${srcs[@]}"
mv -f "$out/libfdkitspawn.so.tmp" "$out/libfdkitspawn.so"
