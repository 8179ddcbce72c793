# Sourced by bin/fdkit. 'fdkit exec --pass/--listen FD' may give CMD only descriptors its caller handed over: the
# JVM opens files of its own at free numbers, and one of those would stand in for a number the caller never had.
# So before the JVM starts, the descriptors named are checked here and the ones open in this shell (and not
# close-on-exec, as the shell's own are) recorded in FDKIT_CALLER_FDS; the CLI refuses the others and removes
# the variable from CMD's environment.

fdkit_caller_has_fd() { # whether descriptor $1 is open here and will reach the JVM
  local n=$1 k v=0
  if [ "$n" = 2 ]; then
    : >&2 || return 1 # not silenced: 2>/dev/null would itself open descriptor 2
  else
    { : >&"$n"; } 2>/dev/null || return 1
  fi
  if [ -r "/proc/$$/fdinfo/$n" ]; then # without /proc the shell's own close-on-exec descriptors cannot be told
    while read -r k v; do [ "$k" = flags: ] && break; done <"/proc/$$/fdinfo/$n"
    [ $((8#${v:-0} & 8#2000000)) -eq 0 ] || return 1 # O_CLOEXEC
  fi
  return 0
}

fdkit_record_caller_fds() { # "$@": the CLI's arguments; sets FDKIT_CALLER_FDS for 'exec' only
  local a n fds=
  while [ $# -gt 0 ]; do
    case "$1" in exec) shift; break;; -*) shift;; *) return 0;; esac
  done
  [ $# -gt 0 ] || return 0
  while [ $# -gt 0 ]; do
    a=$1; shift; n=
    case "$a" in
      --) break;;
      --pass|--listen) [ $# -gt 0 ] && { n=$1; shift; };;
      --pass=*|--listen=*) n=${a#*=};;
      --cwd|--env) [ $# -gt 0 ] && shift; continue;;
      -*) continue;;
      *) break;;
    esac
    n=${n%%[:=]*}
    case "$n" in ''|*[!0-9]*|???????????*) continue;; esac # not a number: the CLI reports it
    n=$((10#$n))
    if fdkit_caller_has_fd "$n"; then fds="$fds $n"; fi
  done
  export FDKIT_CALLER_FDS="${fds# }"
}
