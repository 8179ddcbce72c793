#!/usr/bin/env bash
# Times listing another process in two builds of fdkit side by side, with lsfd and lsof, in one run:
#   fdkit-bench/scripts/ls-before-after.sh BEFORE_TREE AFTER_TREE [REPS]
# Each tree is an fdkit source tree whose CLI and bench jars are built (bin/fdkit bench builds them, or
# mvn -DskipTests -pl fdkit-cli,fdkit-bench -am package). For 10, 1,000 and 15,000 descriptors held by a JVM
# (fdkit-bench's FdHolder: a quarter each of files, pipe ends, unix socketpair ends and TCP sockets), it runs
# REPS rounds (default 7), each round every command once in turn (output to /dev/null), and prints the median and
# minimum wall time per command and its median CPU time (user + system: what a busy machine disturbs least); then
# Fds.list(pid) warm, both builds loaded into one JVM and called in turn.
set -euo pipefail
before=$(cd "$1" && pwd); after=$(cd "$2" && pwd); reps=${3:-7}
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bin/lib/jdk.sh"
fdkit_find_jdk
for t in "$before" "$after"; do
  for f in fdkit-cli/target/fdkit.jar fdkit-bench/target/fdkit-bench.jar; do
    [ -f "$t/$f" ] || { echo "ls-before-after: $t/$f is missing: build that tree first" >&2; exit 2; }
  done
done
cli() { # the CLI as bin/fdkit starts it: its JVM options file and, when built, its AOT cache
  local t=$1 aot=()
  [ -f "$t/fdkit-cli/target/fdkit.aot" ] && aot=(-XX:AOTCache="$t/fdkit-cli/target/fdkit.aot")
  echo "$JAVA @$t/fdkit-cli/src/main/launcher/fdkit.jvmopts ${aot[*]} -jar $t/fdkit-cli/target/fdkit.jar ls"
}
declare -a labels cmds
labels=("fdkit ls (before)" "fdkit ls (after)"); cmds=("$(cli "$before")" "$(cli "$after")")
command -v lsfd >/dev/null && { labels+=("lsfd -p"); cmds+=("lsfd -p"); }
command -v lsof >/dev/null && { labels+=("lsof -n -P -p"); cmds+=("lsof -n -P -p"); }
work=$(mktemp -d)
holder_pid=""
cleanup() { [ -n "$holder_pid" ] && kill "$holder_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
stats() { # file of lines "real user sys" in seconds: median and min of real, median of user + sys, in ms
  local real cpu
  real=$(awk '{print $1 * 1000}' "$1" | sort -n | awk '{a[NR]=$1} END {printf "%9.1f %9.1f", a[int((NR+1)/2)], a[1]}')
  cpu=$(awk '{print ($2 + $3) * 1000}' "$1" | sort -n | awk '{a[NR]=$1} END {printf "%9.1f", a[int((NR+1)/2)]}')
  echo "$real $cpu"
}
TIMEFORMAT='%R %U %S'
echo "rounds: $reps; times in ms; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in 10 1000 15000; do
  mkfifo "$work/in.$n"
  "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$after/fdkit-bench/target/fdkit-bench.jar" \
    dev.fdkit.bench.FdHolder "$n" <"$work/in.$n" >"$work/out.$n" &
  holder_pid=$!
  exec 9>"$work/in.$n" # holds the holder's stdin open until this size is done
  for _ in $(seq 1 600); do grep -q ready "$work/out.$n" 2>/dev/null && break; sleep 0.1; done
  grep -q ready "$work/out.$n" || { echo "the holder of $n descriptors did not start" >&2; exit 1; }
  for i in "${!cmds[@]}"; do : >"$work/t.$i"; ${cmds[$i]} "$holder_pid" >/dev/null; done # one unmeasured round
  for _ in $(seq 1 "$reps"); do
    for i in "${!cmds[@]}"; do
      { time ${cmds[$i]} "$holder_pid" >/dev/null 2>&3; } 3>&2 2>>"$work/t.$i"
    done
  done
  echo "== N=$n (open in the holder: $(ls /proc/$holder_pid/fd | wc -l))"
  printf '%-22s %9s %9s %9s\n' method median min cpu
  for i in "${!cmds[@]}"; do printf '%-22s %s\n' "${labels[$i]}" "$(stats "$work/t.$i")"; done
  "$JAVA" --enable-native-access=ALL-UNNAMED "$root/fdkit-bench/scripts/ListWarm.java" \
    "$before/fdkit-cli/target/fdkit.jar" "$after/fdkit-cli/target/fdkit.jar" "$holder_pid" "$n"
  exec 9>&-
  wait "$holder_pid" || true
  holder_pid=""
done
