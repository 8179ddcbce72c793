#!/usr/bin/env bash
# Startup of the fdkit CLI against a bare JVM, measured side by side in one run (interleaved rounds, so load on
# the machine hits every command alike). Prints the median and minimum wall time of each command and its ratio
# to 'java -version', then checks the targets: 'fdkit --help' <= 2.5x, 'fdkit ls PID' <= 3.5x (medians of wall
# time). Also the median CPU time (user + system, every thread) and its ratio: on a loaded machine wall times
# swing with the load, the CPU a command needs much less. Also 'ls' as the JVM command the launcher starts, without
# the launcher script (its JDK search and source staleness check), to show which part is whose. Last, how many FFM
# downcall shapes 'ls' links.
# With BASELINE (another build's launcher, e.g. a checkout of main), its --help and ls are timed in the same
# rounds, so a change is judged by ratios measured side by side (the targets apply to FDKIT only).
# Usage: startup.sh [ROUNDS] [FDKIT] [BASELINE]   (default: 21 rounds; FDKIT: the launcher to time, default bin/fdkit;
# a source tree's bin/fdkit or the bin/fdkit of an unpacked 'fdkit dist' archive)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-21}
fdkit=${2:-$root/bin/fdkit}
baseline=${3:-}
. "$root/bin/lib/jdk.sh"
fdkit_find_jdk
"$fdkit" --help >/dev/null # builds on first use, outside the timing
[ -z "$baseline" ] || "$baseline" --help >/dev/null

sleep 600 & target=$! # the small process 'ls' lists
trap 'kill $target 2>/dev/null || true' EXIT

jvm() { # $1 = a source tree's or an unpacked distribution's bin/fdkit: the JVM command it execs for the CLI
  local tree; tree=$(cd "$(dirname "$1")/.." && pwd)
  if [ -f "$tree/lib/fdkit.jvmopts" ]; then # 'fdkit dist' archive: its own runtime, options, cache and jar
    "$tree/runtime/bin/java" @"$tree/lib/fdkit.jvmopts" -XX:AOTCache="$tree/lib/fdkit.aot" -jar "$tree/lib/fdkit.jar" \
        "${@:2}"
    return
  fi
  "$JAVA" @"$tree/fdkit-cli/src/main/launcher/fdkit.jvmopts" -XX:AOTCache="$tree/fdkit-cli/target/fdkit.aot" \
      -jar "$tree/fdkit-cli/target/fdkit.jar" "${@:2}"
}
names=("java -version" "fdkit --help" "fdkit ls PID" "ls, JVM alone")
[ -z "$baseline" ] || names+=("baseline --help" "baseline ls PID" "baseline ls, JVM")
run() { # $1 = index into names
  case $1 in
    0) "$JAVA" -version ;;
    1) "$fdkit" --help ;;
    2) "$fdkit" ls "$target" ;;
    3) jvm "$fdkit" ls "$target" ;;
    4) "$baseline" --help ;;
    5) "$baseline" ls "$target" ;;
    6) jvm "$baseline" ls "$target" ;;
  esac
}
declare -a times0 times1 times2 times3 times4 times5 times6 cpu0 cpu1 cpu2 cpu3 cpu4 cpu5 cpu6
TIMEFORMAT='%3R %3U %3S'
for ((r = 0; r < rounds + 1; r++)); do
  for i in "${!names[@]}"; do
    t=$( { time run $i >/dev/null 2>&1 || echo failed; } 2>&1 )
    case "$t" in *failed*) echo "startup.sh: '${names[$i]}' failed" >&2; run $i >&2; exit 1 ;; esac
    [ $r -eq 0 ] && continue # the first round warms the page cache
    read -r real user sys <<<"$t"
    eval "times$i+=($(awk -v v="$real" 'BEGIN {printf "%d", v * 1e6}'))"
    eval "cpu$i+=($(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%d", (u + s) * 1e6}'))"
  done
done
summary() { # median and min (microseconds) of the named array
  local -n a=$1
  sort -n <<<"$(printf '%s\n' "${a[@]}")" | awk '{v[NR]=$1} END {printf "%d %d\n", v[int((NR+1)/2)], v[1]}'
}
ms() { awk -v v="$1" 'BEGIN {printf "%.1f", v / 1000}'; }
ratio() { awk -v m="$1" -v b="$2" 'BEGIN {printf "%.2f", m / b}'; }
read -r base_med base_min < <(summary times0)
read -r base_cpu _ < <(summary cpu0)
printf '%-16s %10s %10s %7s %10s %7s\n' command median_ms min_ms ratio cpu_ms ratio
status=0
missed=()
for i in "${!names[@]}"; do
  read -r med min < <(summary times$i)
  read -r cpu _ < <(summary cpu$i)
  r=$(ratio "$med" "$base_med")
  printf '%-16s %10s %10s %6sx %10s %6sx\n' "${names[$i]}" "$(ms "$med")" "$(ms "$min")" "$r" "$(ms "$cpu")" \
      "$(ratio "$cpu" "$base_cpu")"
  limit=""
  case $i in 1) limit=2.5 ;; 2) limit=3.5 ;; esac
  if [ -n "$limit" ] && awk -v r="$r" -v l="$limit" 'BEGIN {exit !(r > l)}'; then
    missed+=("target missed: ${names[$i]} takes ${r}x java -version (target <= ${limit}x)"); status=1
  fi
done
# Untimed: the FFM downcall shapes an 'ls' links, each a class the JDK spins at start-up (the AOT cache keeps none).
shapes() { JAVA_TOOL_OPTIONS=-Xlog:class+load "$1" ls "$target" 2>/dev/null | grep -c 'foreign\.abi\.DowncallStub' || true; }
echo "downcall shapes linked by 'fdkit ls PID': $(shapes "$fdkit")${baseline:+ (baseline: $(shapes "$baseline"))}"
for m in "${missed[@]}"; do echo "$m"; done
echo "($rounds rounds, $(nproc) CPUs, $("$JAVA" -version 2>&1 | head -1))"
exit $status
