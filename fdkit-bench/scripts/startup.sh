#!/usr/bin/env bash
# Startup of the fdkit CLI against a bare JVM, measured side by side in one run (interleaved rounds, so load on
# the machine hits every command alike). Prints the median and minimum wall time of each command and its ratio
# to 'java -version', then checks the targets: 'fdkit --help' <= 2.5x, 'fdkit ls PID' <= 3.5x (medians).
# Usage: startup.sh [ROUNDS] [FDKIT]   (default: 21 rounds; FDKIT: the launcher to time, default bin/fdkit)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-21}
fdkit=${2:-$root/bin/fdkit}
. "$root/bin/lib/jdk.sh"
fdkit_find_jdk
"$fdkit" --help >/dev/null # builds on first use, outside the timing

sleep 600 & target=$! # the small process 'ls' lists
trap 'kill $target 2>/dev/null || true' EXIT

names=("java -version" "fdkit --help" "fdkit ls PID")
run() { # $1 = index into names
  case $1 in
    0) "$JAVA" -version ;;
    1) "$fdkit" --help ;;
    2) "$fdkit" ls "$target" ;;
  esac
}
declare -a times0 times1 times2
for ((r = 0; r < rounds + 1; r++)); do
  for i in 0 1 2; do
    s=$(date +%s%N)
    run $i >/dev/null 2>&1 || { echo "startup.sh: '${names[$i]}' failed" >&2; run $i >&2; exit 1; }
    e=$(date +%s%N)
    [ $r -eq 0 ] && continue # the first round warms the page cache
    eval "times$i+=($(( (e - s) / 1000 )))"
  done
done
summary() { # median and min (microseconds) of the named array
  local -n a=$1
  sort -n <<<"$(printf '%s\n' "${a[@]}")" | awk '{v[NR]=$1} END {printf "%d %d\n", v[int((NR+1)/2)], v[1]}'
}
read -r base_med base_min < <(summary times0)
printf '%-16s %10s %10s %7s\n' command median_ms min_ms ratio
status=0
for i in 0 1 2; do
  read -r med min < <(summary times$i)
  ratio=$(awk -v m="$med" -v b="$base_med" 'BEGIN {printf "%.2f", m / b}')
  printf '%-16s %10.1f %10.1f %6sx\n' "${names[$i]}" "$(awk -v v="$med" 'BEGIN {print v / 1000}')" \
      "$(awk -v v="$min" 'BEGIN {print v / 1000}')" "$ratio"
  limit=""
  case $i in 1) limit=2.5 ;; 2) limit=3.5 ;; esac
  if [ -n "$limit" ] && awk -v r="$ratio" -v l="$limit" 'BEGIN {exit !(r > l)}'; then
    echo "target missed: ${names[$i]} takes ${ratio}x java -version (target <= ${limit}x)"; status=1
  fi
done
echo "($rounds rounds, $(nproc) CPUs, $("$JAVA" -version 2>&1 | head -1))"
exit $status
