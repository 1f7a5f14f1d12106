#!/usr/bin/env bash
# .ci/chroot.sh SUITE COMMAND: runs COMMAND (a bash command line) in a fresh
# clone of this repository's HEAD commit inside a bare Debian SUITE (trixie,
# forky, ...) made by `debootstrap --variant=minbase`, with only git, make and
# ca-certificates added: the path of a newcomer on a fresh machine.
# Needs root (on Debian, installs debootstrap when missing).  The chroot is
# removed afterwards, its mounts and processes too, also on failure or
# interrupt; KEEP_CHROOT=1 keeps it (the path is printed).
# The Debian mirror is the one this machine's apt uses (else debootstrap's
# default); the chroot shares this machine's network.
# Environment: CHROOT_DIR (parent directory, default /var/tmp), KEEP_CHROOT.
set -euo pipefail
suite=${1:?usage: .ci/chroot.sh SUITE COMMAND}
command=${2:?usage: .ci/chroot.sh SUITE COMMAND}
repo=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$repo" rev-parse HEAD)
[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null

root=$(mktemp -d "${CHROOT_DIR:-/var/tmp}/relintel-$suite.XXXXXX")
chmod 755 "$root"   # the chroot's /, which every user of it (postgres, _apt) must enter
mounted=()
cleanup() {
  local status=$? pid pids i
  # processes still running in the chroot (a demo cluster, a stuck test)
  for signal in TERM KILL; do
    pids=()
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
      [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && pids+=("$pid")
    done
    [ "${#pids[@]}" -eq 0 ] && break
    kill -s "$signal" "${pids[@]}" 2>/dev/null || true
    sleep 3
  done
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
  done
  if [ "${KEEP_CHROOT:-0}" = 1 ]; then
    echo "chroot kept: $root (mounts removed)"
  elif ! findmnt -rn -o TARGET | grep -q "^$root/"; then
    rm -rf --one-file-system "$root"
  else
    echo "$root: still mounted, not removed" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The mirror of this machine's Debian archive (not security, not third-party).
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | sed -nE 's|^deb +(\[[^]]*\] +)?(https?://[^ ]+/debian)/? .*|\2|p; s|^URIs: *(https?://[^ ]+/debian)/?$|\1|p' \
  | head -1 || true)

# debootstrap knows the suites released before it; newer ones use sid's script.
script=()
[ -e "/usr/share/debootstrap/scripts/$suite" ] || script=(/usr/share/debootstrap/scripts/sid)

started=$(date +%s)
echo "== debootstrap --variant=minbase $suite ${mirror:-(default mirror)} into $root"
debootstrap --variant=minbase --include=git,make,ca-certificates "$suite" "$root" ${mirror:+"$mirror"} "${script[@]}" \
  >"$root.debootstrap.log" 2>&1 || { tail -30 "$root.debootstrap.log"; rm -f "$root.debootstrap.log"; exit 1; }
rm -f "$root.debootstrap.log"
echo "   $(( $(date +%s) - started )) s"

mount_in() {  # mount_in TARGET mount-arguments...
  local target=$root$1
  shift
  mount "$@" "$target"
  mounted+=("$target")
}
mount_in /proc -t proc proc
mount_in /sys -t sysfs sysfs
mount_in /dev --bind /dev
mount_in /dev/pts -t devpts devpts -o newinstance,ptmxmode=0666
mount_in /dev/shm -t tmpfs tmpfs -o mode=1777,size=2g
cp /etc/resolv.conf "$root/etc/resolv.conf"
# A Release file past its Valid-Until (testing's, on a frozen mirror or with a
# clock ahead of the mirror) makes apt-get update fail although debootstrap
# has just checked its signature: accept it, and say so.
until=$(sed -n 's/^Valid-Until: //p' "$root"/var/lib/apt/lists/*_InRelease 2>/dev/null | head -1)
if [ -n "$until" ] && [ "$(date -d "$until" +%s)" -lt "$(date +%s)" ]; then
  echo "   note: $suite's Release expired on $until; apt in the chroot ignores Valid-Until"
  echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99relintel-valid-until"
fi
# The certificate authorities this machine trusts beyond Debian's (a proxy's,
# say), trusted in the chroot too: by its ca-certificates and by Node.js
# (whose own bundle ignores the system's store).
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1 || true
fi
# No services started by package installs (the chroot shares this machine's ports).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

# The repository as committed, cloned inside the chroot with the chroot's git.
git clone -q --bare --no-local "$repo" "$root/srv/relintel.git"
run_in() {
  chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb DEBIAN_FRONTEND=noninteractive \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${RUN_ENV[@]}" \
    /bin/bash -c "$1"
}
RUN_ENV=(NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
[ -n "${PG_VERSION:-}" ] && RUN_ENV+=("PG_VERSION=$PG_VERSION")
run_in "git clone -q /srv/relintel.git /root/relintel && cd /root/relintel && git checkout -q $commit && git log --oneline -1"
echo "== in $suite ($(cat "$root/etc/debian_version")), as root in a fresh clone: $(tr '\n' ' ' <<<"$command" | tr -s ' ')"
status=0
run_in "cd /root/relintel && $command" || status=$?
echo "== $suite: exit status $status after $(( $(date +%s) - started )) s in all"
exit "$status"
