#!/usr/bin/env bash
# Checks the artifacts in the throw-away repository $1 (where 'mvn deploy' put them) as Maven Central would, then
# builds examples/consumer offline against them, as a user's project, and runs it on the class path and on the
# module path. Only the artifacts come from $1; Maven's plugins come from the user's local repository, read as a
# file:// repository (offline, so nothing is downloaded).
# Run by bin/test; finds a JDK 25 itself, as the other scripts do.
set -euo pipefail
repo=$(cd "${1:?throw-away repository}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bin/lib/jdk.sh"
fdkit_find_jdk
fdkit_require_build_tools
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)
fail() { echo "example-test: $*" >&2; exit 1; }

# 1. What Maven Central requires of every artifact (signatures apart): a POM with name, description, url,
#    license, developers and scm (here or inherited from fdkit-parent), and sources and javadoc jars.
for a in fdkit-parent fdkit-bom fdkit-core fdkit-spawn fdkit-junit fdkit-agent fdkit-cli fdkit-bench; do
  dir="$repo/dev/fdkit/$a/$version"
  pom="$dir/$a-$version.pom"
  [ -f "$pom" ] || fail "$a: no POM in $dir"
  for tag in name description; do
    grep -q "<$tag>..*</$tag>" "$pom" || fail "$a: the POM has no <$tag>"
  done
  case $a in fdkit-parent|fdkit-bom) meta=$pom ;; *) meta="$repo/dev/fdkit/fdkit-parent/$version/fdkit-parent-$version.pom" ;; esac
  for tag in url license developer scm connection; do
    grep -q "<$tag[ >]" "$meta" || fail "$a: no <$tag> in its POM or its parent's"
  done
  case $a in fdkit-parent|fdkit-bom) continue ;; esac
  for kind in "" -sources -javadoc; do
    [ -s "$dir/$a-$version$kind.jar" ] || fail "$a: no $a-$version$kind.jar"
  done
done
echo "example-test: every artifact has a complete POM, sources and javadoc jars"

# 2. The consumer, built offline: its local repository is the throw-away one.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/examples/consumer/." "$work/"
user_repo=${FDKIT_USER_REPO:-$HOME/.m2/repository}
cat >"$work/settings.xml" <<XML
<settings>
  <localRepository>$repo</localRepository>
  <profiles><profile><id>plugins</id>
    <repositories><repository><id>user-cache</id><url>file://$user_repo</url></repository></repositories>
    <pluginRepositories><pluginRepository><id>user-cache</id><url>file://$user_repo</url></pluginRepository></pluginRepositories>
  </profile></profiles>
  <activeProfiles><activeProfile>plugins</activeProfile></activeProfiles>
</settings>
XML
if ! (cd "$work" && mvn -B -ntp -q -o -Daether.offline.protocols=file -s settings.xml package </dev/null >build.log 2>&1); then
  cat "$work/build.log" >&2
  fail "the consumer project did not build offline against the installed artifacts"
fi
jar="$work/target/fdkit-consumer-1.0.jar"
for f in "$work"/target/lib/*.jar; do
  case $(basename "$f") in fdkit-core-$version.jar|fdkit-spawn-$version.jar) ;; *) fail "unexpected dependency $(basename "$f")" ;; esac
done

run() { # $1 label, then the java arguments; the output must end in "ok: ..."
  local label=$1; shift
  local out
  out=$("$JAVA_HOME/bin/java" "$@" </dev/null 2>&1) || { echo "$out" >&2; fail "$label: the consumer failed"; }
  grep -q '^ok: ' <<<"$out" || { echo "$out" >&2; fail "$label: no 'ok' line"; }
  echo "$out" | sed "s/^/example-test: $label: /"
}
run "class path" --enable-native-access=ALL-UNNAMED -cp "$jar:$work/target/lib/*" dev.fdkit.example.Consumer
out=$(run "module path" --enable-native-access=dev.fdkit.core,dev.fdkit.spawn -p "$jar:$work/target/lib" \
      -m com.example.consumer/dev.fdkit.example.Consumer)
echo "$out"
grep -q "module: com.example.consumer" <<<"$out" || fail "module path: the consumer did not run as a named module"
