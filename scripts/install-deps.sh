#!/usr/bin/env bash
# Installs what taskscope's build, tests, lab and benchmarks need on a fresh Debian 12 machine (as root).
# Idempotent: only missing packages are installed, so a second run costs one dpkg query.
set -euo pipefail
PACKAGES=(
  openjdk-17-jdk-headless maven gcc libc6-dev      # build, and the C test programs
  strace gdb procps util-linux iproute2            # reference tools, unshare/nsenter, network namespaces
  runc jq                                          # the OCI runtime for the lab and container tests; jq writes the lab's configs
  musl-tools                                       # musl-gcc: env recovery tests on musl (Alpine's libc)
  nginx-light php-fpm php-cli                      # the demo task's web and app containers
  curl wrk hyperfine                               # requests and load on loopback, benchmarks
  docker.io docker-compose podman catatonit        # the engines test (scripts/engines-test.sh); catatonit is podman's pod infra
  debootstrap                                      # the engines test's offline base image
  groff-base                                       # the man page test renders taskscope's pages with groff
  time                                             # GNU time: peak RSS of a command in the env hardening tests
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "taskscope: missing packages: ${missing[*]}; run this as root (it uses apt-get)" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # No service starts during the install: docker.io's dockerd would create its default bridge (docker0) and
  # iptables rules on this machine. The engines test runs its own dockerd without either.
  policy=/usr/sbin/policy-rc.d
  own_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# taskscope install-deps.sh: start no service while installing\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=1
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ -n "$own_policy" ]; then rm -f "$policy"; trap - EXIT; fi
fi
# Debian's nginx and php-fpm packages start system services; taskscope's lab runs its own copies.
for svc in nginx php8.2-fpm; do
  if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
done
