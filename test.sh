#!/usr/bin/env bash
# The README's test command: installs what the tests need, then builds and runs every test,
# unit and integration (root, ptrace, runc, nginx, php-fpm). Run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-deps.sh
mvn -B -ntp verify "$@"
