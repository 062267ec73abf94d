#!/bin/sh
# Installs Prometheus Alertmanager for test/gates (the tests start and stop their own daemon).
# Idempotent: does nothing when the binary is already there.
set -eu
if [ -x /usr/bin/prometheus-alertmanager ]; then
  echo "prometheus-alertmanager already installed: $(/usr/bin/prometheus-alertmanager --version 2>&1 | head -n 1)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends prometheus-alertmanager
/usr/bin/prometheus-alertmanager --version 2>&1 | head -n 1
