#!/usr/bin/env bash
# Tests 'bin/fdkit dist': builds the archive into $1, unpacks it elsewhere and runs its bin/fdkit with an empty
# environment (no JAVA_HOME, no PATH: nothing but the archive's own runtime can run it); checks the runtime holds
# only what the CLI needs, that the AOT cache is used where it was unpacked, that the agent jar it carries is the
# one 'fdkit agent attach' loads into a running JVM, and the man page and completion.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bin/lib/jdk.sh"
fdkit_find_jdk
work=$(cd "${1:?work directory}" && pwd)
fail() { echo "dist-test: FAILED: $*" >&2; exit 1; }

tarball=$("$root/bin/fdkit" dist "$work/dist" | tail -1)
[ -f "$tarball" ] || fail "the last line of 'fdkit dist' is not the archive: '$tarball'"
case "$(basename "$tarball")" in fdkit-*-linux-*.tar.gz) ;; *) fail "unexpected archive name $tarball" ;; esac
mkdir -p "$work/unpacked"
tar -C "$work/unpacked" -xzf "$tarball"
home=$(echo "$work"/unpacked/fdkit-*)
[ -x "$home/bin/fdkit" ] || fail "no bin/fdkit in the archive"

out=$(env -i "$home/bin/fdkit" ls) || fail "bin/fdkit ls failed: $out"
head -1 <<<"$out" | grep -q '^ *FD KIND' || fail "bin/fdkit ls printed no table: $out"
grep -q " $home/runtime/lib/modules\$" <<<"$out" || fail "bin/fdkit ls did not run on the bundled runtime: $out"
echo "dist-test: $(basename "$tarball"): bin/fdkit ls works with an empty environment ($(wc -l <<<"$out") lines)"

mods=$("$home/runtime/bin/java" --list-modules | sed 's/@.*//' | tr '\n' ' ')
for m in java.desktop jdk.compiler; do
  grep -qw "$m" <<<"$mods" && fail "the runtime holds $m, which the CLI does not use: $mods"
done
shared=$(env -i JDK_JAVA_OPTIONS=-Xlog:class+load "$home/bin/fdkit" --help 2>/dev/null | grep -c 'source: shared objects file' || true)
[ "$shared" -gt 500 ] || fail "the AOT cache was not used where the archive was unpacked ($shared classes from it)"
echo "dist-test: runtime modules: $mods; $shared classes came from the AOT cache"

# The agent jar: 'fdkit agent attach PID' with no --jar finds it beside lib/fdkit.jar and loads it into a JVM.
[ -f "$home/lib/fdkit-agent.jar" ] || fail "no lib/fdkit-agent.jar in the archive"
cat >"$work/Waiting.java" <<'JAVA'
public class Waiting {
    public static void main(String[] args) throws Exception {
        System.out.println("ready");
        Thread.sleep(120_000);
    }
}
JAVA
coproc target { exec "$JAVA" -XX:+EnableDynamicAgentLoading "$work/Waiting.java"; }
target_pid=$target_PID
trap 'kill $target_pid 2>/dev/null || true' EXIT
read -r -t 60 ready <&"${target[0]}" || true
[ "${ready:-}" = ready ] || fail "the JVM to attach to did not start"
out=$(env -i "$home/bin/fdkit" agent attach "$target_pid" 2>&1) || fail "fdkit agent attach failed: $out"
grep -q "fdkit agent loaded into $target_pid" <<<"$out" || fail "fdkit agent attach said: $out"
out=$(env -i "$home/bin/fdkit" agent status "$target_pid" 2>&1) || fail "fdkit agent status failed: $out"
grep -q "^pid $target_pid: fdkit agent" <<<"$out" || fail "fdkit agent status did not reach the agent: $out"
kill "$target_pid"; wait "$target_pid" 2>/dev/null || true
trap - EXIT
echo "dist-test: lib/fdkit-agent.jar loaded into a running JVM by the archive's 'fdkit agent attach', and its 'agent status' reads it"

man="$home/share/man/man1/fdkit.1"
head -1 "$man" | grep -q '^\.TH FDKIT 1 ' || fail "fdkit.1 is not a man page"
for c in demo ls watch exec; do grep -q "^\.SS \"fdkit $c" "$man" || fail "fdkit.1 does not describe 'fdkit $c'"; done
bash -c "source '$home/share/completion/fdkit.bash' && complete -p fdkit" >/dev/null \
  || fail "the bash completion script does not register a completion for fdkit"
grep -q '^#compdef fdkit' "$home/share/completion/_fdkit" || fail "no zsh completion"
echo "dist-test: man page and bash/zsh completion in place"
