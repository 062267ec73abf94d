#!/bin/sh
# Installs Docker Engine (dockerd, containerd, runc, the docker CLI) and Debian's static busybox for
# the docker runtime tests. Nothing is started here: the tests use a daemon that already answers
# (DRIFTLESS_TEST_DOCKER_HOST or /var/run/docker.sock), else start their own as root
# (test/helpers/dockerd.ts) and stop it when the run ends. The test images are built from
# /bin/busybox through the Engine API, so no registry is needed.
# Idempotent: does nothing when both are already installed.
set -eu
if command -v dockerd >/dev/null 2>&1 && [ -x /bin/busybox ] && /bin/busybox --list | grep -qx httpd; then
  echo "docker already installed: $(dockerd --version)"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends docker.io busybox-static
fi
dockerd --version
