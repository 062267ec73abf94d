#!/bin/sh
# The programs the test suite starts for real (first step of `npm test`): Alertmanager (alerts
# gates), OpenSSH (ssh runtime), Docker and a static busybox (docker runtime), Chromium (dashboard).
# Present: one line, no network, well under a second. Missing on Debian/Ubuntu as root (or with
# password-less sudo): installed with apt-get, once. Missing elsewhere: says how to get them and
# carries on; the tests that need them then fail with the same advice. PostgreSQL is started when
# it is installed but not running; without it the PostgreSQL legs do not run (the run says so).
#
# Usage: scripts/test-deps.sh [--check]   (--check only reports, never installs)
# TEST_DEPS_REQUIREMENTS=<file> replaces the list below (lines of package<TAB>file; for its own tests).
set -eu

MODE=${1:-install}

# package<TAB>file the tests run (a path, or a command looked up on PATH)
REQUIREMENTS='prometheus-alertmanager	/usr/bin/prometheus-alertmanager
openssh-server	/usr/sbin/sshd
openssh-client	ssh-keygen
docker.io	dockerd
busybox-static	/bin/busybox
chromium	/usr/bin/chromium'
if [ -n "${TEST_DEPS_REQUIREMENTS:-}" ]; then REQUIREMENTS=$(cat "$TEST_DEPS_REQUIREMENTS"); fi

has() {
  case "$1" in
    /*) [ -x "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ] ;;
  esac
}

missing_packages=''
missing_files=''
present_packages=''
TAB=$(printf '\t')
while IFS="$TAB" read -r package file; do
  [ -n "$package" ] || continue
  # ALERTMANAGER_BIN points the tests at an Alertmanager installed elsewhere.
  if [ "$package" = prometheus-alertmanager ] && [ -n "${ALERTMANAGER_BIN:-}" ] && [ -x "$ALERTMANAGER_BIN" ]; then continue; fi
  if ! has "$file"; then
    missing_packages="$missing_packages $package"
    missing_files="$missing_files $file"
  else
    present_packages="$present_packages $package"
  fi
done <<EOF
$REQUIREMENTS
EOF
missing_packages=${missing_packages# }
missing_files=${missing_files# }

postgres_note() {
  if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    echo 'PostgreSQL listens on 127.0.0.1:5432'
    return
  fi
  # Installed but stopped (a fresh boot): start the first cluster; nothing else is ever started here.
  if [ "$MODE" != --check ] && [ "$(id -u)" -eq 0 ] && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | head -n 1)
    if [ -n "$version" ] && pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1; then
      i=0
      while [ $i -lt 30 ] && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; do sleep 1; i=$((i + 1)); done
      if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
        echo "PostgreSQL $version started on 127.0.0.1:5432"
        return
      fi
    fi
  fi
  echo 'no PostgreSQL on 127.0.0.1:5432, so the PostgreSQL legs will not run (apt-get install postgresql, or set DRIFTLESS_TEST_PG_HOST/PORT)'
}

if [ -z "$missing_packages" ]; then
  echo "test prerequisites: all present ($(echo $present_packages | tr ' ' ',' | sed 's/,/, /g')); $(postgres_note)"
  exit 0
fi

SUDO=''
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; fi
can_install=no
if [ "$MODE" != --check ] && command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; }; then can_install=yes; fi

if [ "$can_install" = no ]; then
  echo "test prerequisites: missing $missing_files; get them with: sudo apt-get install -y --no-install-recommends $missing_packages (Debian/Ubuntu; elsewhere install the same programs, see README \"Running the tests\"). The tests that need them will fail until then. $(postgres_note)"
  exit 0
fi

echo "test prerequisites: installing $missing_packages with apt-get (missing: $missing_files) ..."
log=$(mktemp "${TMPDIR:-/tmp}/driftless-test-deps.XXXXXX")
# shellcheck disable=SC2086 # the package list is meant to split into words
if DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq >"$log" 2>&1 &&
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing_packages >>"$log" 2>&1; then
  rm -f "$log"
  echo "test prerequisites: installed $missing_packages; $(postgres_note)"
else
  echo "test prerequisites: apt-get failed (last lines of $log below); install them by hand: ${SUDO:+sudo }apt-get install -y --no-install-recommends $missing_packages"
  tail -n 5 "$log" | sed 's/^/  /'
fi
