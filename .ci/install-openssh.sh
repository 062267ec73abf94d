#!/bin/sh
# Installs OpenSSH (server and client tools) for the ssh runtime tests. The tests start and stop
# their own sshd on loopback ports with their own keys and config; nothing is started here.
# Idempotent: does nothing when sshd and ssh-keygen are already there.
set -eu
if [ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null 2>&1; then
  echo "openssh-server already installed: $(/usr/sbin/sshd -V 2>&1 | head -n 1 || true)"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends openssh-server openssh-client
fi
# sshd refuses to start without its privilege separation directory (tests create it too).
if [ "$(id -u)" -eq 0 ]; then mkdir -p /run/sshd; fi
/usr/sbin/sshd -V 2>&1 | head -n 1 || true
