#!/usr/bin/env bash
# Does TASKSCOPE_BUDGET hold for one process? A worker that serves "requests" (bench/request-loop.c: CALLS system
# calls, a php-fpm-like mix, and WORK_US of computation each; defaults 40 and 100, about a php-fpm worker on the
# lab) runs WARMUP + MEASURE seconds, for each configuration, interleaved round by round, medians:
#   untraced       nothing traces it
#   budget B       taskscope agent selecting it for continuous syscall tracing under TASKSCOPE_BUDGET=B, for each
#                  B in BUDGETS (default "1% 5% 20%")
#   syscall        the same without a budget (TASKSCOPE_BUDGET=none: syscall mode all the time)
# The cost is the share of its progress lost (1 - req/s / untraced req/s): a budget of B should cost at most B + 2
# points. The budget is an overhead ratio (docs/modes.md): a throughput-bound loop like this one loses less than
# B, a latency-bound server about B. Coverage is the share of its time in syscall mode (the agent's events say it).
# The first WARMUP seconds (default 3) let the budget measure the process and settle; only MEASURE (default 15: a 5% budget spends ~50 ms spells in syscall mode about once a second)
# counts. Run as root; compare ratios from one run (absolute numbers move with the machine's load).
set -Eeuo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-3}
MEASURE=${MEASURE:-15}
CALLS=${CALLS:-40}
WORK_US=${WORK_US:-100}
read -ra BUDGETS <<<"${BUDGETS:-1% 5% 20%}"
TS=${TS:-./taskscope}
[ "$(id -u)" -eq 0 ] || { echo "budget: run it as root (ptrace, unshare)" >&2; exit 1; }
for c in gcc jq unshare; do
  command -v "$c" >/dev/null || { echo "budget: $c is missing; run scripts/install-deps.sh as root" >&2; exit 1; }
done
[ -f cli/target/taskscope.jar ] || mvn -B -q -ntp -DskipTests package >&2
$TS --version >/dev/null # the launcher's class-data archive, made once outside the measurement
# not under /tmp: the agent escalates programs run from world-writable directories (and exempts them from budgets)
mkdir -p /var/lib/taskscope-bench
work=$(mktemp -d -p /var/lib/taskscope-bench)
AGENT=""
LOOP=""
cleanup() {
  [ -n "$AGENT" ] && kill -KILL "$AGENT" 2>/dev/null
  [ -n "$LOOP" ] && kill -KILL "$LOOP" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
gcc -O2 -o "$work/request-loop" bench/request-loop.c
say() { echo "budget: $*" >&2; }
die() { echo "budget: $*" >&2; exit 1; }
status_field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

# run CONFIG: prints "req/s coverage". The agent starts first and is up before the worker starts, so the worker
# is attached within a scan (100 ms) of its start and is never traced idle (coverage counts from the attach).
run() {
  local config=$1 i traced=0
  if [ "$config" != untraced ]; then
    local budget=${config#budget }
    [ "$config" = syscall ] && budget=none
    env TASKSCOPE_COMMAND="^$work/request-loop" TASKSCOPE_SYSCALL_COMMAND="^$work/request-loop" \
      TASKSCOPE_BUDGET="$budget" TASKSCOPE_FILTER=trace=getppid TASKSCOPE_SOCKET="$work/agent.sock" \
      TASKSCOPE_SCAN_INTERVAL=100ms TASKSCOPE_DEFAULT_RULES=false $TS agent >"$work/agent.out" 2>"$work/agent.err" </dev/null &
    AGENT=$!
    for i in $(seq 300); do
      grep -q '^taskscope agent: started' "$work/agent.err" 2>/dev/null && break
      kill -0 "$AGENT" 2>/dev/null || die "the agent exited: $(tail -n 3 "$work/agent.err")"
      sleep 0.1
    done
  fi
  # its own mount namespace: the agent never traces its own container, and this one is a neighbour's
  unshare --mount --propagation private "$work/request-loop" "$WARMUP" "$MEASURE" "$CALLS" "$WORK_US" >"$work/out" &
  LOOP=$!
  if [ -n "$AGENT" ]; then
    for i in $(seq 100); do
      [ "$(status_field "$LOOP" TracerPid)" != 0 ] && traced=1 && break
      sleep 0.02
    done
    [ "$traced" = 1 ] || die "$config: the agent did not attach the worker within 2 s (of a ${WARMUP}s warm-up)"
  fi
  wait "$LOOP" || die "$config: the worker failed"
  LOOP=""
  local coverage=-
  if [ -n "$AGENT" ]; then
    kill -TERM "$AGENT"
    wait "$AGENT" 2>/dev/null || true
    AGENT=""
    coverage=$(jq -r 'select(.type == "syscall") | .coverage // 1' "$work/agent.out" 2>/dev/null | tail -n 1)
  fi
  echo "$(cat "$work/out") ${coverage:--}"
}

CONFIGS=(untraced)
for b in "${BUDGETS[@]}"; do CONFIGS+=("budget $b"); done
CONFIGS+=(syscall)
declare -A RPS COV
n=${#CONFIGS[@]}
say "$ROUNDS rounds x $n configurations, ${WARMUP}s + ${MEASURE}s each, $CALLS calls + ${WORK_US}us a request ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
for r in $(seq 1 "$ROUNDS"); do
  for i in $(seq 0 $((n - 1))); do
    c=${CONFIGS[$(((i + r - 1) % n))]}
    read -r rps cov <<<"$(run "$c")"
    RPS[$c]+=" $rps"; COV[$c]+=" $cov"
    say "round $r: $(printf '%-11s' "$c") $rps req/s, coverage $cov"
  done
done
median() { tr ' ' '\n' | awk '$1 != "" && $1 != "-"' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
echo "budget: one worker, $CALLS calls + ${WORK_US}us a request, median of $ROUNDS interleaved rounds (load after: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '  %-12s %9s %7s %9s %9s  %s\n' configuration "req/s" ratio cost coverage "verdict (at most budget + 2 points)"
base=$(median <<<"${RPS[untraced]}")
for c in "${CONFIGS[@]}"; do
  m=$(median <<<"${RPS[$c]}"); cv=$(median <<<"${COV[$c]}")
  awk -v c="$c" -v m="$m" -v b="$base" -v cv="$cv" 'BEGIN {
    o = (1 - m / b) * 100; v = ""
    if (c ~ /^budget /) { B = substr(c, 8) + 0; v = (o <= B + 2 ? "within" : "OVER") }
    printf "  %-12s %9.0f %6.2fx %8.1f%% %9s  %s\n", c, m, m / b, o, (cv == "-" ? "-" : sprintf("%.2f%%", cv * 100)), v }'
done
