#!/usr/bin/env bash
# Compiles the C anchor that `fdkit bench` runs beside fdkit, for the build machine's architecture only (the bench
# runs where it was built; on another architecture it says the C rows are missing), from one source twice:
#   $1/linux-<os.arch>/fdkit-anchor         the program the bench runs as a child process
#   $1/linux-<os.arch>/libfdkit-anchor.so   its spawn floors as a library the bench calls in its own JVM through FFM
# Called by the Maven build (generate-resources) with the output directory as $1. The library is optional: where it
# does not build, a warning says why and the bench notes that its rows are missing.
set -euo pipefail
out=${1:?output directory}
here=$(cd "$(dirname "$0")" && pwd)
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=aarch64 ;;
  *) arch=$(uname -m) ;;
esac
if ! command -v gcc >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "fdkit-bench: installing gcc (Debian) to build the C anchor..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends gcc libc6-dev </dev/null >&2 || true
  fi
  command -v gcc >/dev/null || { echo "fdkit-bench: gcc is needed to build the C anchor (apt-get install gcc)" >&2; exit 1; }
fi
dir="$out/linux-$arch"
mkdir -p "$dir"
flags=(-std=gnu11 -O2 -pthread -Wall -Wextra -Werror)
gcc "${flags[@]}" -o "$dir/fdkit-anchor.tmp" "$here/anchor.c"
mv -f "$dir/fdkit-anchor.tmp" "$dir/fdkit-anchor"
# Hidden by default: the library exports its two entry points and nothing else into the JVM's process.
if gcc "${flags[@]}" -shared -fPIC -fvisibility=hidden -DFDKIT_ANCHOR_LIBRARY -o "$dir/libfdkit-anchor.so.tmp" \
    "$here/anchor.c"; then
  mv -f "$dir/libfdkit-anchor.so.tmp" "$dir/libfdkit-anchor.so"
else
  rm -f "$dir/libfdkit-anchor.so.tmp" "$dir/libfdkit-anchor.so"
  echo "fdkit-bench: WARNING: libfdkit-anchor.so did not build: the bench's in-JVM C rows will be missing" >&2
fi
