#!/usr/bin/env bash
# What watching a busy task costs it: the lab task (images/lab/lab.sh: nginx -> php-fpm /test.php) under wrk,
# run from inside the task's network namespace, at 8 connections (throughput, req/s) and 1 connection
# (latency: p50 and p99 of `wrk --latency`), for each configuration below, interleaved round by round (the
# order rotates each round), medians, and ratios to untraced:
#   untraced   nothing traces the task
#   shipped    taskscope agent with task-definition.json's monitor environment (lifecycle mode, escalation)
#   budget     the same plus TASKSCOPE_SYSCALL_EXES='*php-fpm*' TASKSCOPE_BUDGET=5% (php-fpm in syscall mode, duty-cycled)
#   syscall    the same as shipped plus TASKSCOPE_MODE=syscall (every selected process stops at every syscall)
#   strace     strace -f -e trace=%file -o /dev/null attached to every process of the app container
#   trace      taskscope trace --container app -e trace=%file -o /dev/null
# Every tracer runs in the monitor container, as in the task (lab.sh exec monitor ...). Between runs each
# configuration is torn down and checked: no process of the task traced (TracerPid 0) or stopped (state t/T).
# The last column is the tracer's own CPU (all its threads, /proc/PID/task/*/schedstat) during the c=8 run, in
# percent of one CPU: on a 2-vCPU task it is taken from the task's own work.
# Targets (issue 9): shipped >= 0.95x untraced req/s (c=8) and p50 <= 1.05x (c=1); budget costs at most its 5% + 2 points.
# Before every run php-fpm's pool is reset (graceful reload), so that no run inherits the workers the previous one grew.
#
# Settings: ROUNDS (default 5), DURATION seconds per wrk run (default 5), WARMUP seconds of c=8 load after a
# tracer attached, before measuring (default 2; lets the JVM compile its hot path), CONFIGS (default all six,
# in the order above), TSLAB_ID (default bench<PID>: a lab of its own, brought up and always torn down).
# Run as root; compare ratios from one run (the machine is shared; absolute numbers move with its load).
set -Eeuo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-2}
read -ra CONFIGS <<<"${CONFIGS:-untraced shipped budget syscall strace trace}"
export TSLAB_ID=${TSLAB_ID:-bench$$}
export TSLAB_JAR=${TSLAB_JAR:-$REPO/cli/target/taskscope.jar}
LAB=$REPO/images/lab/lab.sh
URL=http://127.0.0.1:8080/test.php

declare -A LABEL=(
  [untraced]="untraced"
  [shipped]="agent as shipped (task-definition.json)"
  [budget]="agent, php-fpm in syscall mode, 5% budget"
  [syscall]="agent, TASKSCOPE_MODE=syscall (old default)"
  [strace]="strace -f -e trace=%file, app container"
  [trace]="taskscope trace --container app -e %file"
)
for c in "${CONFIGS[@]}"; do
  [ -n "${LABEL[$c]:-}" ] || { echo "lab-load: unknown configuration '$c'; choose from: ${!LABEL[*]}" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "lab-load: run it as root (the lab uses runc and namespaces)" >&2; exit 1; }
for c in wrk strace jq runc nsenter; do
  command -v "$c" >/dev/null || { echo "lab-load: $c is missing; run scripts/install-deps.sh as root" >&2; exit 1; }
done
[ -f "$TSLAB_JAR" ] || mvn -B -q -ntp -DskipTests package >&2

lab() { bash "$LAB" "$@"; }
say() { echo "lab-load: $*" >&2; }
die() { echo "lab-load: $*" >&2; exit 1; }

# The agent's environment as task-definition.json ships it: NAME=VALUE lines.
mapfile -t SHIPPED_ENV < <(jq -r '.containerDefinitions[] | select(.name == "monitor") | .environment[]? | "\(.name)=\(.value)"' \
  "$REPO/task-definition.json")

work=$(mktemp -d)
TRACER_JOB=""
cleanup() {
  local rc=$?
  if [ -n "$TRACER_JOB" ] && kill -0 "$TRACER_JOB" 2>/dev/null; then
    lab exec monitor sh -c 'kill -KILL "$(cat /tmp/bench-tracer.pid)"' >/dev/null 2>&1 || true
  fi
  lab down >/dev/null 2>&1 || { say "lab.sh down failed; run TSLAB_ID=$TSLAB_ID images/lab/lab.sh down"; rc=1; }
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'echo "lab-load: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

lab up
PAUSE=$(runc state "tslab-$TSLAB_ID-pause" | jq -r .pid)
NETNS=/proc/$PAUSE/ns/net
PIDNS=$(readlink "/proc/$PAUSE/ns/pid")

# Host PIDs of a container's processes.
host_pids() { runc ps --format json "tslab-$TSLAB_ID-$1" 2>/dev/null | jq -r '.[]?'; }
# A host PID as the task's PID namespace numbers it (the monitor's view).
# Both print nothing for a process that is gone (php-fpm's dynamic pool ends idle workers at any time).
task_pid() { awk '/^NSpid:/ { print $NF }' "/proc/$1/status" 2>/dev/null || true; }
status_field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

# Every process of the task (its PID namespace), host PIDs.
task_processes() {
  local d
  for d in /proc/[0-9]*; do
    [ "$(readlink "$d/ns/pid" 2>/dev/null)" = "$PIDNS" ] && echo "${d#/proc/}"
  done
  return 0
}

# Waits (bounded) until every process of the given containers has a tracer.
wait_traced() {
  local deadline=$((SECONDS + 60)) c p missing
  while :; do
    missing=""
    for c in "$@"; do
      for p in $(host_pids "$c"); do
        [ "$(status_field "$p" TracerPid)" = 0 ] && missing+=" $c:$p"
      done
    done
    [ -z "$missing" ] && return 0
    [ -n "$TRACER_JOB" ] && ! kill -0 "$TRACER_JOB" 2>/dev/null && die "the tracer exited before attaching: $(tail -n 5 "$work/tracer.log")"
    [ $SECONDS -lt $deadline ] || die "not traced after 60 s:$missing ($(tail -n 5 "$work/tracer.log"))"
    sleep 0.2
  done
}

# Fails unless no process of the task is traced or stopped (a tracer's exit detaches at once; allow 5 s).
assert_clean() {
  local deadline=$((SECONDS + 5)) p bad
  while :; do
    bad=""
    for p in $(task_processes); do
      local t s
      t=$(status_field "$p" TracerPid); s=$(status_field "$p" State)
      if [ -n "$t" ] && { [ "$t" != 0 ] || [ "$s" = t ] || [ "$s" = T ]; }; then
        bad+=" $p($(tr -d '\0' <"/proc/$p/comm" 2>/dev/null) TracerPid=$t State=$s)"
      fi
    done
    [ -z "$bad" ] && return 0
    [ $SECONDS -lt $deadline ] || die "after $1: still traced or stopped:$bad"
    sleep 0.1
  done
}

# Starts a tracer in the monitor container: its PID (the task's view) goes to /tmp/bench-tracer.pid, its
# stdout to /tmp/bench-tracer.out, its stderr to the job's log.
start_tracer() {
  lab exec monitor sh -c 'echo $$ >/tmp/bench-tracer.pid; exec "$@" >/tmp/bench-tracer.out' tracer "$@" \
    </dev/null >"$work/tracer.log" 2>&1 &
  TRACER_JOB=$!
}

stop_tracer() {
  local sig=$1 i
  lab exec monitor sh -c "kill -$sig \"\$(cat /tmp/bench-tracer.pid)\"" >/dev/null 2>&1 || true
  for i in $(seq 200); do kill -0 "$TRACER_JOB" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$TRACER_JOB" 2>/dev/null; then
    lab exec monitor sh -c 'kill -KILL "$(cat /tmp/bench-tracer.pid)"' >/dev/null 2>&1 || true
    wait "$TRACER_JOB" 2>/dev/null || true
    TRACER_JOB=""
    die "the tracer did not stop within 20 s of SIG$sig: $(tail -n 5 "$work/tracer.log")"
  fi
  wait "$TRACER_JOB" 2>/dev/null || true
  TRACER_JOB=""
}

agent() { start_tracer env "${SHIPPED_ENV[@]}" "$@" taskscope agent; wait_traced app web; }

setup() {
  case $1 in
    untraced) ;;
    shipped) agent ;;
    budget) agent 'TASKSCOPE_SYSCALL_EXES=*php-fpm*' TASKSCOPE_BUDGET="${BUDGET:-5%}" ;;
    syscall) agent TASKSCOPE_MODE=syscall ;;
    strace)
      local args=() p
      for p in $(host_pids app); do
        p=$(task_pid "$p")
        [ -n "$p" ] && args+=(-p "$p")
      done
      start_tracer strace -qq -f -e trace=%file -o /dev/null "${args[@]}"
      wait_traced app ;;
    trace)
      start_tracer taskscope trace --container app -e trace=%file -o /dev/null
      wait_traced app ;;
  esac
}

# What the tracer's output held (agent configurations): events by type, the last coverage of budgeted streams.
summary() {
  case $1 in
    shipped | budget | syscall)
      lab exec monitor sh -c 'jq -r "[.type, (.coverage // empty)] | @tsv" /tmp/bench-tracer.out 2>/dev/null' |
        awk '{ n[$1]++ } NF > 1 { cov = $2 } END { s = ""; for (t in n) s = s " " t "=" n[t];
                                                   if (cov != "") s = s " last-coverage=" cov; print s }' ;;
  esac
}

teardown() {
  case $1 in
    untraced) ;;
    strace) stop_tracer TERM ;;
    trace) stop_tracer INT ;;
    *) stop_tracer TERM ;;
  esac
  assert_clean "$1"
}

# php-fpm's pool back to its start (pm = dynamic: 2 workers, up to 5 under load, idle ones ended after 10 s):
# without this a run inherits the pool the previous one grew (a slow traced run leaves 5 workers), an order effect.
# USR2 is php-fpm's graceful reload: the master re-executes itself and starts new workers. Nothing is traced here.
reset_pool() {
  local master i
  master=$(runc state "tslab-$TSLAB_ID-app" | jq -r .pid)
  kill -USR2 "$master"
  sleep 0.5
  for i in $(seq 100); do
    nsenter --net="$NETNS" curl -sf -o /dev/null --max-time 2 "$URL" && return 0
    sleep 0.1
  done
  die "php-fpm did not answer within 10 s of its reload"
}

# The tracer's host PID (its task PID is in the monitor's /tmp/bench-tracer.pid), and its CPU time so far (ns).
tracer_host_pid() {
  local tp p
  tp=$(lab exec monitor cat /tmp/bench-tracer.pid 2>/dev/null) || return 0
  for p in $(task_processes); do [ "$(task_pid "$p")" = "$tp" ] && echo "$p" && return 0; done
  return 0
}
cpu_ns() {
  local s=0
  [ -z "$1" ] || s=$(cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }') || true
  echo "${s:-0}"
}

# wrk in the task's network namespace: "req/s p50_us p99_us errors".
load() {
  local conns=$1 secs=$2 out
  out=$(nsenter --net="$NETNS" wrk -t1 -c"$conns" -d"${secs}s" --latency "$URL" 2>&1) || die "wrk failed: $out"
  awk '
    function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = us($2) } $1 == "99%" { p99 = us($2) }
    /Non-2xx or 3xx responses:/ { err += $NF }
    /Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) err += $i + 0 }
    END { printf "%.1f %.0f %.0f %d\n", rps, p50, p99, err }' <<<"$out"
}

declare -A RPS8 RPS1 P50 P99 CPU
nconf=${#CONFIGS[@]}
say "lab '$TSLAB_ID' up; $ROUNDS rounds x $nconf configurations, ${DURATION}s per wrk run ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
load 8 2 >/dev/null # the first requests of a fresh php-fpm are slower
for r in $(seq 1 "$ROUNDS"); do
  for i in $(seq 0 $((nconf - 1))); do
    c=${CONFIGS[$(((i + r - 1) % nconf))]}
    reset_pool
    setup "$c"
    load 8 "$WARMUP" >/dev/null
    hp=""; [ "$c" = untraced ] || hp=$(tracer_host_pid)
    t0=$(date +%s%N); cpu0=$(cpu_ns "$hp")
    res8=$(load 8 "$DURATION")
    cpu=$(awk -v a="$cpu0" -v b="$(cpu_ns "$hp")" -v t="$(( $(date +%s%N) - t0 ))" 'BEGIN { printf "%.1f", (b - a) * 100 / t }')
    w8=$(host_pids app | wc -l)
    res1=$(load 1 "$DURATION")
    w1=$(host_pids app | wc -l)
    read -r rps8 _ _ e8 <<<"$res8"
    read -r rps1 p50 p99 e1 <<<"$res1"
    extra=$(summary "$c")
    teardown "$c"
    [ "$e8" = 0 ] && [ "$e1" = 0 ] || die "round $r, $c: wrk saw errors or non-2xx responses ($e8 at c=8, $e1 at c=1)"
    RPS8[$c]+=" $rps8"; RPS1[$c]+=" $rps1"; P50[$c]+=" $p50"; P99[$c]+=" $p99"; CPU[$c]+=" $cpu"
    say "round $r: $(printf '%-9s' "$c") c=8 $rps8 req/s; c=1 $rps1 req/s p50 ${p50}us p99 ${p99}us; tracer CPU ${cpu}%; php-fpm processes $w8/$w1${extra:+; events:$extra}"
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
declare -A M8 M1 M50 M99 MC
for c in "${CONFIGS[@]}"; do
  M8[$c]=$(median <<<"${RPS8[$c]}"); M1[$c]=$(median <<<"${RPS1[$c]}"); MC[$c]=$(median <<<"${CPU[$c]}")
  M50[$c]=$(median <<<"${P50[$c]}"); M99[$c]=$(median <<<"${P99[$c]}")
done
base=${CONFIGS[0]}
[ -n "${M8[untraced]:-}" ] && base=untraced
echo "lab-load: nginx -> php-fpm /test.php, wrk from the task's network namespace, median of $ROUNDS interleaved rounds," \
  "${DURATION}s each ($(nproc) CPUs, load after: $(cut -d' ' -f1-3 /proc/loadavg)); ratios to $base"
printf '  %-44s %9s %6s  %9s %6s  %8s %6s  %8s %6s  %10s\n' "configuration" "c=8 req/s" "ratio" "c=1 req/s" "ratio" "p50 us" "ratio" "p99 us" "ratio" "tracer CPU"
for c in "${CONFIGS[@]}"; do
  awk -v l="${LABEL[$c]}" -v a="${M8[$c]}" -v b="${M1[$c]}" -v p="${M50[$c]}" -v q="${M99[$c]}" \
      -v A="${M8[$base]}" -v B="${M1[$base]}" -v P="${M50[$base]}" -v Q="${M99[$base]}" -v u="${MC[$c]}" -v n="$c" \
      'BEGIN { printf "  %-44s %9.0f %5.2fx  %9.0f %5.2fx  %8.0f %5.2fx  %8.0f %5.2fx  %9s\n", l, a, a / A, b, b / B, p, p / P, q, q / Q,
               (n == "untraced" ? "-" : sprintf("%.1f%%", u)) }'
done
if [ "$base" = untraced ]; then
  if [ -n "${M8[shipped]:-}" ]; then
    awk -v a="${M8[shipped]}" -v A="${M8[untraced]}" -v p="${M50[shipped]}" -v P="${M50[untraced]}" 'BEGIN {
      printf "  agent as shipped: %.2fx throughput (target >= 0.95: %s), %.2fx p50 latency (target <= 1.05: %s)\n",
        a / A, (a / A >= 0.95 ? "met" : "NOT met"), p / P, (p / P <= 1.05 ? "met" : "NOT met") }'
  fi
  if [ -n "${M8[budget]:-}" ]; then
    awk -v a="${M8[budget]}" -v A="${M8[untraced]}" -v b="${M1[budget]}" -v B="${M1[untraced]}" 'BEGIN {
      c8 = (1 - a / A) * 100; c1 = (1 - b / B) * 100
      printf "  5%% budget: costs %.1f%% of throughput at c=8, %.1f%% at c=1 (target: at most 5 + 2 points: %s)\n",
        c8, c1, (c8 <= 7 && c1 <= 7 ? "met" : "NOT met") }'
  fi
fi
