#!/usr/bin/env bash
# Tests 'bin/fdkit dist': builds the archive into $1, unpacks it elsewhere and runs its bin/fdkit with an empty
# environment (no JAVA_HOME, no PATH: nothing but the archive's own runtime can run it); checks the runtime holds
# only what the CLI needs, that the AOT cache is used where it was unpacked, and the man page and completion.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
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

man="$home/share/man/man1/fdkit.1"
head -1 "$man" | grep -q '^\.TH FDKIT 1 ' || fail "fdkit.1 is not a man page"
for c in demo ls watch exec; do grep -q "^\.SS \"fdkit $c" "$man" || fail "fdkit.1 does not describe 'fdkit $c'"; done
bash -c "source '$home/share/completion/fdkit.bash' && complete -p fdkit" >/dev/null \
  || fail "the bash completion script does not register a completion for fdkit"
grep -q '^#compdef fdkit' "$home/share/completion/_fdkit" || fail "no zsh completion"
echo "dist-test: man page and bash/zsh completion in place"
