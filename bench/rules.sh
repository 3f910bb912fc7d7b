#!/usr/bin/env bash
# Events per second through 25 Falco rules (the 5 shipped and 20 typical ones) on one core, with every rule tested
# on every event (before indexing) and with rules indexed by evt.type (what the agent does), interleaved rounds,
# medians. The load is a php-fpm worker's mix (reads, opens of the web root, connects, execs), built in memory:
# this measures the rule engine alone, not the tracer.
#
#   bash bench/rules.sh              7 rounds of 0.7 s each way, pinned to CPU 0
#   ROUNDS=11 MILLIS=1000 bash bench/rules.sh
set -euo pipefail
ROUNDS=${ROUNDS:-7}
MILLIS=${MILLIS:-700}
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$root"
[ -d agent/target/test-classes/io/taskscope/rules ] || mvn -B -q -ntp -o -pl agent test-compile >&2
cp=$(mktemp)
trap 'rm -f "$cp"' EXIT
mvn -B -q -ntp -o -pl agent dependency:build-classpath -Dmdep.outputFile="$cp" >&2
exec taskset -c 0 java -XX:ActiveProcessorCount=1 -cp "agent/target/classes:agent/target/test-classes:$(cat "$cp")" \
  io.taskscope.rules.RulesBench "$ROUNDS" "$MILLIS"
