#!/usr/bin/env bash
# Benchmark (not a test): cold `taskscope ps` against `ps auxw`, and the in-process snapshot of
# 2,000 live processes. Run as root from the repository root: bash bench/ps.sh [ROUNDS]
#
# 1. Cold start, one new process per run, interleaved (ps auxw, then taskscope on each JVM, then the
#    next round) so that load from elsewhere hits every contender alike; median of ROUNDS (10).
#    taskscope runs through ./taskscope, which picks the class-data archive: AppCDS on JDK 17,
#    the AOT cache on JDK 25 (made once before timing, as on first use); "no archive" is the same
#    JVM with TASKSCOPE_NO_ARCHIVE=1.
# 2. 2,000 extra `sleep` processes, then: SnapshotBench (in-process ProcessTable.snapshot and
#    Task.snapshot with user names, medians after warm-up) and the same cold comparison once more.
#    The sleeps are killed on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
jar=cli/target/taskscope.jar
[ -f "$jar" ] || mvn -B -q -ntp -DskipTests package
jdk17=${JDK17:-$(readlink -f "$(command -v java)")}
jdk25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
export TASKSCOPE_CACHE=${TASKSCOPE_CACHE:-$(mktemp -d)}

# Make the archives now (the launcher does it on first use) so that every timed run is a normal run.
TASKSCOPE_JAVA=$jdk17 ./taskscope ps >/dev/null
TASKSCOPE_JAVA=$jdk25 ./taskscope ps >/dev/null

ms() { # runs "$@" with output discarded, prints wall milliseconds
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

cold() { # prints one table of medians for the current process count
  local f i
  f=$(mktemp -d)
  for i in $(seq "$rounds"); do
    ms ps auxw >>"$f/ps"
    ms env TASKSCOPE_JAVA="$jdk17" ./taskscope ps >>"$f/17cds"
    ms env TASKSCOPE_JAVA="$jdk25" ./taskscope ps >>"$f/25aot"
    ms env TASKSCOPE_JAVA="$jdk17" TASKSCOPE_NO_ARCHIVE=1 ./taskscope ps >>"$f/17plain"
    ms env TASKSCOPE_JAVA="$jdk25" TASKSCOPE_NO_ARCHIVE=1 ./taskscope ps >>"$f/25plain"
  done
  local ps
  ps=$(median <"$f/ps")
  printf '  %-34s %8s ms\n' "ps auxw" "$ps"
  for k in 25aot 17cds 25plain 17plain; do
    local m label
    m=$(median <"$f/$k")
    case $k in
      25aot) label="taskscope ps, JDK 25 + AOT cache" ;;
      17cds) label="taskscope ps, JDK 17 + AppCDS" ;;
      25plain) label="taskscope ps, JDK 25, no archive" ;;
      17plain) label="taskscope ps, JDK 17, no archive" ;;
    esac
    printf '  %-34s %8s ms   ratio to ps auxw %s\n' "$label" "$m" "$(awk -v a="$m" -v b="$ps" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}')"
  done
  rm -rf "$f"
}

echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(ls /proc | grep -c '^[0-9]') processes"
echo "cold start, median of $rounds interleaved runs (wall time):"
cold

sleeps=()
cleanup() { [ ${#sleeps[@]} -eq 0 ] || kill "${sleeps[@]}" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 2000); do sleep 600 & sleeps+=($!); done
echo
echo "with 2,000 more processes: $(ls /proc | grep -c '^[0-9]') processes"
echo "in-process snapshot (JDK 25, after warm-up):"
"$jdk25" -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -cp "$jar" io.taskscope.proc.SnapshotBench 15 | sed 's/^/  /'
echo "in-process snapshot (JDK 17, after warm-up):"
"$jdk17" -XX:+UseSerialGC -cp "$jar" io.taskscope.proc.SnapshotBench 15 | sed 's/^/  /'
echo "cold start, median of $rounds interleaved runs (wall time):"
cold
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) (the CPUs are shared: compare ratios, not absolutes)"
