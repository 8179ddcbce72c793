# Sourced by bin/fdkit, bin/test, bin/mvn and bin/lib/dist.sh: finds a JDK >= 25 (exports JAVA_HOME and JAVA) and builds.
# Order: $JAVA_HOME if it is new enough, else the newest JDK >= 25 under /usr/lib/jvm.

fdkit_java_major() { # prints the feature version of the JDK at $1, or nothing
  local home=$1 v
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -r "$home/release" ]; then # read by the shell itself: bin/fdkit runs this on every start
    local line
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=\"[0-9]*) v=${line#JAVA_VERSION=\"}; v=${v%%[!0-9]*}; break ;; esac
    done <"$home/release"
  fi
  if [ -z "${v:-}" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
  fi
  printf '%s' "${v:-}"
}

fdkit_find_jdk() {
  local need=25 best="" best_v=0 home v
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(fdkit_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$need" ]; then best=$JAVA_HOME; best_v=$v; fi
  fi
  if [ -z "$best" ]; then
    for home in /usr/lib/jvm/*; do
      [ -d "$home" ] || continue
      v=$(fdkit_java_major "$home")
      if [ -n "$v" ] && [ "$v" -ge "$need" ] && [ "$v" -gt "$best_v" ]; then best=$home; best_v=$v; fi
    done
  fi
  if [ -z "$best" ]; then
    echo "fdkit: no JDK 25 or newer found (JAVA_HOME=${JAVA_HOME:-unset}, nothing suitable in /usr/lib/jvm); install a JDK 25 (e.g. Eclipse Temurin 25) under /usr/lib/jvm or point JAVA_HOME at one." >&2
    return 1
  fi
  export JAVA_HOME=$best
  export JAVA="$best/bin/java"
}

fdkit_require_build_tools() { # Maven and gcc, with one sentence each when missing; quiets Maven 3.8 on JDK 25
  command -v mvn >/dev/null || { echo "fdkit: Maven (mvn) is not installed; install it, e.g. 'apt-get install maven'." >&2; return 1; }
  command -v gcc >/dev/null || { echo "fdkit: gcc is not installed; the spawn helper is C, install it, e.g. 'apt-get install gcc'." >&2; return 1; }
  # Maven 3.8 uses sun.misc.Unsafe through guava; JDK 25 warns about it on every run.
  case " ${MAVEN_OPTS:-} " in *" --sun-misc-unsafe-memory-access="*) ;; *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;; esac
}

fdkit_build_if_stale() { # $1 modules (Maven -pl), $2 the jar to check, more: other files they make
  local root module=$1 jar=$2 log f missing=""
  case ${BASH_SOURCE[0]} in # sourced as "$root/bin/lib/jdk.sh" by every script: no subshell needed then
    /*/bin/lib/jdk.sh) root=${BASH_SOURCE[0]%/bin/lib/jdk.sh} ;;
    *) root=$(cd "${BASH_SOURCE[0]%/*}/../.." && pwd) ;;
  esac
  for f in "${@:2}"; do [ -f "$f" ] || missing=1; done
  # Build outputs (target/) are not looked into: most of the tree's files, and none of them a source.
  if [ -z "$missing" ] && [ -z "$(find "$root" \( -path "$root/.git" -o -path "$root/examples" -o -name target \) -prune -o \( -path '*/src/*' -o -name pom.xml \) -type f -newer "$jar" -print -quit)" ]; then
    return 0
  fi
  fdkit_require_build_tools
  echo "fdkit: building $module (once, and again after the sources change)..." >&2
  log=$(mktemp)
  if ! (cd "$root" && mvn -B -ntp -q -DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip -pl "$module" -am package </dev/null >"$log" 2>&1); then
    cat "$log" >&2; rm -f "$log"
    echo "fdkit: the build failed; the Maven output is above." >&2
    return 1
  fi
  rm -f "$log"
}
