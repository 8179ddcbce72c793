#!/usr/bin/env bash
# Fetches Debian trixie's lsfd (util-linux 2.41, per-kind columns) and the libraries it needs into DIR without
# touching the system: a private apt configuration and state under DIR, packages unpacked with dpkg-deb -x.
#   lsfd-trixie.sh DIR
# Prints, as its last line, the path of a wrapper that runs that lsfd through trixie's own loader and libraries
# (its glibc is newer than bookworm's). Reuses what an earlier run left in DIR. Exits non-zero, saying why, when
# apt-get, dpkg-deb or the archive cannot be had.
set -euo pipefail
dir=$(mkdir -p "$1" && cd "$1" && pwd)
wrapper="$dir/lsfd"
if [ -x "$wrapper" ] && "$wrapper" --version >&2; then echo "$wrapper"; exit 0; fi
for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "lsfd-trixie: $tool is not installed" >&2; exit 1; }
done
arch=$(dpkg --print-architecture)
mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/debs" "$dir/root"
echo "deb http://deb.debian.org/debian trixie main" >"$dir/apt/sources.list"
apt=(-o Dir::Etc::SourceList="$dir/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o Dir::State="$dir/apt" -o Dir::State::Status=/var/lib/dpkg/status -o Dir::Cache="$dir/apt/cache"
     -o APT::Architecture="$arch" -o APT::Sandbox::User=root -q)
apt-get "${apt[@]}" update >"$dir/apt.log" 2>&1 || { tail -3 "$dir/apt.log" >&2; exit 1; }
# lsfd (util-linux-extra) and what it links against, each from trixie: glibc 2.38 or newer is required.
(cd "$dir/debs" && apt-get "${apt[@]}" download util-linux-extra libsmartcols1 libc6 libaudit1 libcap-ng0 zlib1g \
  >>"$dir/apt.log" 2>&1) || { tail -3 "$dir/apt.log" >&2; exit 1; }
for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
loader=$(find "$dir/root" -name 'ld-linux*.so.*' -type f -o -name 'ld-linux*.so.*' -type l | head -1)
[ -n "$loader" ] || { echo "lsfd-trixie: no dynamic loader in trixie's libc6" >&2; exit 1; }
libs=$(find "$dir/root" -type d -name "*-linux-gnu" -path '*/lib/*' | paste -sd: -)
cat >"$wrapper" <<WRAPPER
#!/bin/sh
exec "$loader" --library-path "$libs" "$dir/root/usr/bin/lsfd" "\$@"
WRAPPER
chmod +x "$wrapper"
"$wrapper" --version >&2
echo "$wrapper"
