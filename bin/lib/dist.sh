#!/usr/bin/env bash
# 'fdkit dist': builds fdkit-VERSION-linux-ARCH.tar.gz, the CLI installable without a JDK, and prints its path as
# the last line. It holds:
#   bin/fdkit                 the launcher (bash; runs the bundled runtime, never a java from PATH)
#   lib/fdkit.jar             the CLI, lib/fdkit.jvmopts its JVM options, lib/fdkit.aot its AOT cache
#   lib/fdkit-agent.jar       the fdkit agent, which 'fdkit agent attach' loads by default (it looks beside
#                             fdkit.jar) and which JVMs can name with -javaagent
#   runtime/                  a jlink'd Java runtime with only the modules the CLI needs (jdeps)
#   share/man/man1/fdkit.1    the man page, and share/completion/fdkit.bash and _fdkit (bash and zsh), both
#                             generated from the CLI's picocli model
#   LICENSE, NOTICE, README.md
# Usage: bin/fdkit dist [OUTPUT-DIRECTORY]   (default: target/ of the repository)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bin/lib/jdk.sh"
fdkit_find_jdk
out=$(mkdir -p "${1:-$root/target}" && cd "${1:-$root/target}" && pwd)
jar="$root/fdkit-cli/target/fdkit.jar"
agent="$root/fdkit-agent/target/fdkit-agent.jar"
fdkit_build_if_stale fdkit-cli,fdkit-agent "$jar" "$agent"

version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)
case "$(uname -m)" in x86_64) arch=x86_64 ;; aarch64) arch=aarch64 ;; *) arch=$(uname -m) ;; esac
name="fdkit-$version-linux-$arch"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
d="$stage/$name"
mkdir -p "$d/bin" "$d/lib" "$d/share/man/man1" "$d/share/completion"

# The runtime: the modules jdeps finds the CLI using, nothing else (no compiler, no desktop).
# jdeps cannot see java.management.rmi: 'fdkit agent status' reaches the agent's MBean through the JMX connector
# the JDK finds by protocol ("rmi") at run time.
modules=$("$JAVA_HOME/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "$jar"),java.management.rmi
echo "dist: runtime modules: $modules" >&2
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --output "$d/runtime"

cp "$jar" "$d/lib/fdkit.jar"
cp "$agent" "$d/lib/fdkit-agent.jar"
cp "$root/fdkit-cli/src/main/launcher/fdkit.jvmopts" "$d/lib/fdkit.jvmopts"
cp "$root/LICENSE" "$root/NOTICE" "$root/README.md" "$d/"
cp "$root/bin/lib/caller-fds.sh" "$d/lib/caller-fds.sh"
cat >"$d/bin/fdkit" <<'SH'
#!/usr/bin/env bash
# fdkit: runs the CLI on the runtime bundled beside it, with the AOT cache made for it at packaging time.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd -P)
# 'fdkit exec' passes on only descriptors the caller handed over: record which of those it names are.
. "$home/lib/caller-fds.sh"
fdkit_record_caller_fds "$@"
# exec keeps this script's pid for the JVM, so 'fdkit exec' replaces the very process the caller started.
exec "$home/runtime/bin/java" @"$home/lib/fdkit.jvmopts" -XX:AOTCache="$home/lib/fdkit.aot" -jar "$home/lib/fdkit.jar" "$@"
SH
chmod 755 "$d/bin/fdkit"

# Man page and completion, from the picocli model.
"$d/runtime/bin/java" @"$d/lib/fdkit.jvmopts" -cp "$d/lib/fdkit.jar" dev.fdkit.cli.DistFiles "$stage/gen"
cp "$stage/gen/fdkit.1" "$d/share/man/man1/fdkit.1"
cp "$stage/gen/fdkit.bash" "$d/share/completion/fdkit.bash"
cat >"$d/share/completion/_fdkit" <<'ZSH'
#compdef fdkit
# zsh completion for fdkit: picocli's generated script, through zsh's bash-completion support.
autoload -U +X bashcompinit && bashcompinit
source "${0:A:h}/fdkit.bash"
ZSH

# The AOT cache, made by a training run on the bundled runtime with the archive's own layout: the JVM accepts it
# wherever the archive is unpacked, as long as runtime/ and lib/ keep their places relative to each other.
"$d/runtime/bin/java" @"$d/lib/fdkit.jvmopts" -XX:AOTCacheOutput="$d/lib/fdkit.aot" -Xlog:aot=error -Xlog:cds=error \
    -cp "$d/lib/fdkit.jar" dev.fdkit.cli.AotTraining >/dev/null 2> >(grep -v '^Picked up JAVA_TOOL_OPTIONS' >&2)

tarball="$out/$name.tar.gz"
tar -C "$stage" -czf "$tarball.tmp" "$name"
mv -f "$tarball.tmp" "$tarball"
echo "dist: $(du -h "$tarball" | cut -f1) $(tar -tzf "$tarball" | wc -l) files" >&2
echo "$tarball"
