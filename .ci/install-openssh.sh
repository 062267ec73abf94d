#!/bin/sh
# Kept for the hint in test/helpers/sshd.ts: installs whatever the tests need that is missing,
# OpenSSH included (scripts/test-deps.sh, which `npm test` runs first).
exec sh "$(dirname "$0")/../scripts/test-deps.sh" "$@"
