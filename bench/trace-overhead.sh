#!/usr/bin/env bash
# What tracing costs the traced process: a stat+getppid loop (bench/syscall-loop.c), measured as
# nanoseconds per iteration when
#   a) untraced
#   b) attached by strace -e trace=%file -o /dev/null
#   c) attached by taskscope trace -e trace=%file -o /dev/null
#   d) attached by bench/null-tracer.c (PTRACE_SYSCALL + waitpid only: the floor for a ptrace tracer)
# interleaved (a b c d, a b c d, ...), ROUNDS rounds (default 5), medians, and the ratios
# (c-a)/(b-a) (target <= 0.8) and (c-a)/(d-a) (target <= 1.3).
# VARIANTS=1 adds taskscope without polling (--spin-us 0), with --colocate, and the polling null tracer.
# Run as root on an otherwise idle machine (uptime); the numbers vary with the machine, the ratios less.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
N_UNTRACED=${N_UNTRACED:-1000000}
N_TRACED=${N_TRACED:-20000}
# taskscope runs through ./taskscope, as users run it (its JVM flags: C1 only, serial GC, class-data archive).
TS=${TS:-./taskscope}
[ -f cli/target/taskscope.jar ] || mvn -B -q -ntp -DskipTests package >&2
$TS --version >/dev/null # makes the class-data archive once, outside the measurement
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
gcc -O2 -o "$work/syscall-loop" bench/syscall-loop.c
gcc -O2 -o "$work/null-tracer" bench/null-tracer.c

tracer_pid() { awk '/^TracerPid:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# run MODE N [tracer command...]: prints ns/iteration
run() {
  local n=$1; shift
  "$work/syscall-loop" "$n" >"$work/out" &
  local loop=$!
  local tracer=""
  # ready once its SIGUSR1 handler is installed (bit 10 of SigCgt)
  for _ in $(seq 1 200); do
    cgt=$(awk '/^SigCgt:/ {print $2}' "/proc/$loop/status" 2>/dev/null || echo 0)
    (( (16#${cgt:-0} & 0x200) != 0 )) && break; sleep 0.01
  done
  if [ $# -gt 0 ]; then
    "$@" "$loop" >/dev/null 2>"$work/tracer.err" &
    tracer=$!
    for _ in $(seq 1 600); do [ "$(tracer_pid $loop)" != 0 ] && break; sleep 0.05; done
    if [ "$(tracer_pid $loop)" = 0 ]; then echo "tracer did not attach: $* ($(cat "$work/tracer.err"))" >&2; kill -9 $loop; exit 1; fi
    sleep 0.3
  fi
  kill -USR1 $loop
  wait $loop
  [ -n "$tracer" ] && wait "$tracer" 2>/dev/null || true
  cat "$work/out"
}

declare -A results
modes=(a b c d)
declare -A label=([a]="untraced" [b]="strace -e trace=%file -o /dev/null" [c]="taskscope trace -e trace=%file -o /dev/null"
                  [d]="null tracer (PTRACE_SYSCALL + waitpid)")
if [ "${VARIANTS:-0}" = 1 ]; then
  modes+=(c0 cc dp)
  label[c0]="taskscope, no polling (--spin-us 0)"; label[cc]="taskscope --colocate (opt-in)"; label[dp]="null tracer, polling waitpid"
fi
for r in $(seq 1 "$ROUNDS"); do
  for m in "${modes[@]}"; do
    case $m in
      a)  v=$(run "$N_UNTRACED") ;;
      b)  v=$(run "$N_TRACED" strace -qq -e trace=%file -o /dev/null -p) ;;
      c)  v=$(run "$N_TRACED" $TS trace -e trace=%file -o /dev/null -p) ;;
      c0) v=$(run "$N_TRACED" $TS trace --spin-us 0 -e trace=%file -o /dev/null -p) ;;
      cc) v=$(run "$N_TRACED" $TS trace --colocate -e trace=%file -o /dev/null -p) ;;
      d)  v=$(run "$N_TRACED" "$work/null-tracer") ;;
      dp) v=$(run "$N_TRACED" "$work/null-tracer" -p) ;;
    esac
    results[$m]="${results[$m]:-} $v"
    echo "round $r: $m ${label[$m]}: $v ns/iteration" >&2
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A med
echo "trace-overhead: stat+getppid loop, ns/iteration, median of $ROUNDS interleaved rounds ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
for m in "${modes[@]}"; do
  med[$m]=$(echo "${results[$m]}" | median)
  printf '  %-3s %-48s %10s   (runs:%s)\n' "$m" "${label[$m]}" "${med[$m]}" "${results[$m]}"
done
awk -v a="${med[a]}" -v b="${med[b]}" -v c="${med[c]}" -v d="${med[d]}" 'BEGIN {
  printf "  (c-a)/(b-a) = %.2f   taskscope overhead relative to strace (target <= 0.8)\n", (c-a)/(b-a);
  printf "  (c-a)/(d-a) = %.2f   taskscope overhead relative to the null tracer (target <= 1.3)\n", (c-a)/(d-a) }'
