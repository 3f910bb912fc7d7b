#!/usr/bin/env bash
# The agent's resident memory while it traces ~1,000 events per second for 5 minutes, with the JVM flags of
# the monitor image (AGENT_JAVA_OPTS in images/monitor/taskscope), sampled next to strace tracing an identical
# load (the reference). Target: at most 96 MiB, and no growth over time.
#
#   bash bench/agent-memory.sh                 5 minutes, a sample every 10 s
#   DURATION=60 INTERVAL=5 bash bench/agent-memory.sh
#
# The load is agent/src/test/c/agentload.c in its own mount namespace (a "container" of its own), on a fixed
# schedule of RATE iterations per second; each iteration makes two %file syscalls (stat, openat), so the
# default RATE=500 gives 1,000 traced events per second. Run as root. Prints one line per sample, then medians.
set -euo pipefail
DURATION=${DURATION:-300}
INTERVAL=${INTERVAL:-10}
RATE=${RATE:-500}
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
jar=$root/cli/target/taskscope.jar
[ "$(id -u)" -eq 0 ] || { echo "agent-memory: run as root (ptrace, unshare)" >&2; exit 1; }
[ -f "$jar" ] || (cd "$root" && mvn -B -q -ntp -DskipTests package >&2)

java=java
for j in /usr/lib/jvm/temurin-25-jdk-amd64/bin/java /opt/java/openjdk/bin/java; do
  [ -x "$j" ] && { java=$j; break; }   # the image runs Temurin 25
done
opts=$(sed -n 's/^AGENT_JAVA_OPTS="\(.*\)"$/\1/p' "$root/images/monitor/taskscope")
[ -n "$opts" ] || { echo "agent-memory: AGENT_JAVA_OPTS not found in images/monitor/taskscope" >&2; exit 1; }

work=$(mktemp -d /tmp/taskscope-agent-memory.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
gcc -O1 -o "$work/agentload" "$root/agent/src/test/c/agentload.c"
mkdir -p "$work/a" "$work/b"

# Two identical loads, each in a new mount namespace: one for the agent, one for strace.
unshare --mount --propagation private "$work/agentload" "$work/a" "@$RATE" 1000000000 >/dev/null 2>&1 &
load_a=$!; pids+=("$load_a")
unshare --mount --propagation private "$work/agentload" "$work/b" "@$RATE" 1000000000 >/dev/null 2>&1 &
load_b=$!; pids+=("$load_b")
sleep 0.5

# stdout is read by a consumer, as the awslogs driver would; only the metrics lines are kept (events/s).
TASKSCOPE_COMMAND="$work/agentload $work/a" TASKSCOPE_SOCKET="$work/agent.sock" TASKSCOPE_METRICS_INTERVAL=10s \
  "$java" $opts -jar "$jar" agent 2>"$work/agent.err" \
  > >(grep --line-buffered '"type":"metrics"' > "$work/metrics.jsonl") &
agent=$!; pids+=("$agent")
strace -f -e trace=%file -o /dev/null -p "$load_b" 2>/dev/null &
strace_pid=$!; pids+=("$strace_pid")

rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
events_per_s() {
  tail -n 1 "$work/metrics.jsonl" 2>/dev/null |
    sed -n 's/.*"intervalSeconds":\([0-9]*\).*"SyscallsTraced":\([0-9]*\).*/\2 \1/p' | awk '{printf "%d", $1/$2}'
}

echo "# agent: $("$java" -version 2>&1 | head -1), flags: $opts"
echo "# load: $RATE iterations/s x 2 %file syscalls; duration ${DURATION}s, sample every ${INTERVAL}s"
printf "%6s %12s %12s %10s\n" "t_s" "agent_MiB" "strace_MiB" "events/s"
samples=()
t=0
while [ "$t" -le "$DURATION" ]; do
  kill -0 "$agent" 2>/dev/null || { echo "agent-memory: the agent died:" >&2; cat "$work/agent.err" >&2; exit 1; }
  a=$(rss_mib "$agent"); s=$(rss_mib "$strace_pid"); e=$(events_per_s)
  printf "%6d %12s %12s %10s\n" "$t" "$a" "$s" "${e:--}"
  samples+=("$t $a $s")
  sleep "$INTERVAL"
  t=$((t + INTERVAL))
done

printf '%s\n' "${samples[@]}" | awk -v dur="$DURATION" '
  function median(arr, n,   i, j, tmp) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { tmp = arr[i]; arr[i] = arr[j]; arr[j] = tmp }
    return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
  }
  { if ($1 >= 60 || dur < 120) all[++na] = $2
    if ($1 >= 30 && $1 <= 90) early[++ne] = $2
    if ($1 >= dur - 60) late[++nl] = $2
    if ($2 > max) max = $2
    st[++ns] = $3 }
  END {
    me = median(early, ne); ml = median(late, nl)
    printf "agent RSS: median %.1f MiB after warm-up, max %.1f MiB; minute 1 median %.1f, last minute median %.1f (growth %+.1f MiB)\n", median(all, na), max, me, ml, ml - me
    printf "strace RSS (same load): median %.1f MiB; agent/strace ratio %.1f\n", median(st, ns), median(all, na) / median(st, ns)
    printf "target: at most 96 MiB and no growth: %s\n", (max <= 96 && ml - me < 4) ? "met" : "NOT met"
  }'
