#!/usr/bin/env bash
# Installs, once, the Debian packages bin/test's real-tool tests use, when they are missing and we are root with
# apt-get: systemd (systemd-socket-activate), libsystemd-dev (a C server using sd_listen_fds), qemu-user and the
# aarch64 cross compiler and C library (the aarch64 spawn helper, run under emulation), the ppc64le and s390x kernel
# headers (their system call numbers, checked by SyscallNumbersTest). Each test that needs one
# skips with the reason when it could not be installed. Quick when everything is there (dpkg -s only).
set -uo pipefail
want=(systemd libsystemd-dev qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      linux-libc-dev-ppc64el-cross linux-libc-dev-s390x-cross)
missing=()
for p in "${want[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "test-deps: not installing ${missing[*]} (needs root and apt-get); the tests using them will be skipped" >&2
  exit 0
fi
echo "test-deps: installing ${missing[*]} (Debian)..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >/dev/null 2>&1 \
  || { apt-get update -q </dev/null >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >/dev/null 2>&1; } \
  || echo "test-deps: could not install ${missing[*]}; the tests using them will be skipped" >&2
exit 0
