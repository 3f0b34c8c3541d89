#!/usr/bin/env bash
# Prove the README's two commands on a fresh machine: a new Debian 12 root
# (debootstrap, minbase) with only what a new machine of the project's kind
# has (Python 3.11 with venv and pip, gcc, make, git, CA certificates), a
# clean clone of this repository, then `make run` until it serves (then it is
# stopped) and `make test`, each from nothing, in a clean environment (no CI,
# no DATABASE_URL: SQLite and eager Celery, as on a laptop).
#
#   sudo scripts/fresh-machine-check.sh [WORKDIR] [REF]
#
# Needs root, debootstrap (apt-get install debootstrap) and Debian's package
# mirror; PyPI for the virtualenv. WORKDIR (default /tmp/fresh-machine-check)
# keeps the debootstrapped base (reused by the next run; delete it to start
# over), the root of this run and the logs. REF (default HEAD) is the commit
# cloned. Exit 0 when both commands worked; the logs are under WORKDIR/logs.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/fresh-machine-check}"
ref="${2:-HEAD}"
port="${CHECK_PORT:-18765}"
suite="${CHECK_SUITE:-bookworm}"
mirror="${CHECK_MIRROR:-http://deb.debian.org/debian}"
base="$work/base"
root="$work/root"
logs="$work/logs"

[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap and chroot need it)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "install debootstrap: apt-get install debootstrap" >&2; exit 2; }
mkdir -p "$work" "$logs"
log() { printf '\n== %s  %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$logs/check.log"; }

if [ ! -x "$base/usr/bin/python3" ]; then
  log "debootstrap $suite (minbase + python3, venv, pip, gcc, make, git)"
  rm -rf "$base"
  debootstrap --variant=minbase \
    --include=python3,python3-venv,python3-pip,python3-dev,make,git,ca-certificates,gcc,libc6-dev \
    "$suite" "$base" "$mirror" >"$logs/debootstrap.log" 2>&1
fi

log "a new root from the base"
cleanup() {
  [ -n "${serve_pid:-}" ] && kill -TERM -- "-$serve_pid" 2>/dev/null || true
  for m in dev/pts dev proc sys; do umount -l "$root/$m" 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
rm -rf "$root"
cp -a "$base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# debootstrap writes no /etc/hosts; every real machine has one ("localhost" is where the browser
# tests' live server listens)
[ -f "$root/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
# The network's own trust: where egress passes a TLS proxy, its CA (and the
# /etc/pip.conf that points pip at the system's CA bundle) is part of every
# machine of this kind, not of the project, so the new root gets them too.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1
fi
[ -f /etc/pip.conf ] && cp /etc/pip.conf "$root/etc/pip.conf"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

log "clone $ref of $repo"
commit="$(git -C "$repo" rev-parse "$ref")"
git clone -q "$repo" "$root/root/portal"
git -C "$root/root/portal" checkout -q "$commit"
echo "commit $commit" | tee -a "$logs/check.log"

# A clean environment: what a person has in a new shell as root.
in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
pre="$(in_root sh -c 'for t in pdftoppm msgfmt chromium fc-match; do command -v $t || echo "no $t"; done')"
echo "before: $pre" | tee -a "$logs/check.log"

log "make run (port $port): until it serves"
setsid chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  sh -c "cd /root/portal && exec make run PORT=$port" >"$logs/make-run.log" 2>&1 &
serve_pid=$!
started=$(date +%s)
served=""
while kill -0 "$serve_pid" 2>/dev/null && [ $(( $(date +%s) - started )) -lt 1800 ]; do
  if code="$(in_root python3 -c "import urllib.request as u; print(u.urlopen('http://127.0.0.1:$port/', timeout=5).status)" 2>/dev/null)" \
      && [ "$code" = 200 ]; then
    served=yes
    break
  fi
  sleep 5
done
if [ -n "$served" ]; then
  page="$(in_root python3 -c "import urllib.request as u; print(u.urlopen('http://127.0.0.1:$port/verify/', timeout=10).status)")"
  log "make run served after $(( $(date +%s) - started ))s (/ 200, /verify/ $page); stopping it"
else
  log "make run did NOT serve; tail of its log:"; tail -40 "$logs/make-run.log" | tee -a "$logs/check.log"
fi
kill -TERM -- "-$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true
serve_pid=""
[ -n "$served" ] || exit 1

log "make test ${CHECK_PYTEST_ARGS:+(PYTEST_ARGS=$CHECK_PYTEST_ARGS)}"
started=$(date +%s)
set +e
in_root sh -c "cd /root/portal && make test PYTEST_ARGS='${CHECK_PYTEST_ARGS:-}'" >"$logs/make-test.log" 2>&1
rc=$?
set -e
tail -15 "$logs/make-test.log" | tee -a "$logs/check.log"
post="$(in_root sh -c 'for t in pdftoppm msgfmt chromium fc-match; do command -v $t || echo "no $t"; done')"
echo "after: $post" | tee -a "$logs/check.log"
log "make test exited $rc after $(( $(date +%s) - started ))s"
exit "$rc"
