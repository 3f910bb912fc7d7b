#!/usr/bin/env bash
# Benchmark (not a test): what the agent's check for neighbours that became tracers (TracerPid of every task
# process, agent/ForeignTracers) costs one process scan, with 50 and with 2,000 processes. Each size runs in a
# PID namespace of its own holding exactly that many `sleep`s (they end with the namespace), so the machine's
# other processes do not count. Run as root from the repository root: bash bench/tracer-pid-scan.sh [SIZES...]
set -euo pipefail
cd "$(dirname "$0")/.."
jar=cli/target/taskscope.jar
[ -f "$jar" ] || mvn -B -q -ntp -DskipTests package
java=${JAVA:-java}
for n in "${@:-50 2000}"; do
  for size in $n; do
    unshare --pid --fork --mount-proc sh -c '
      n=$1; shift
      i=1; while [ "$i" -lt "$n" ]; do sleep 600 & i=$((i + 1)); done
      "$@" -cp "'"$jar"'" io.taskscope.agent.ForeignTracersBench 2>/dev/null
    ' sh "$size" "$java"
  done
done
