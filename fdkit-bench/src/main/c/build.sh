#!/usr/bin/env bash
# Compiles the C anchor that `fdkit bench` runs beside fdkit: $1/linux-<os.arch>/fdkit-anchor, for the build
# machine's architecture only (the bench runs where it was built; on another architecture it says the C rows are
# missing). Called by the Maven build (generate-resources) with the output directory as $1.
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
gcc -std=gnu11 -O2 -pthread -Wall -Wextra -Werror -o "$dir/fdkit-anchor.tmp" "$here/anchor.c"
mv -f "$dir/fdkit-anchor.tmp" "$dir/fdkit-anchor"
