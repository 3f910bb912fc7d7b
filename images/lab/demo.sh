#!/usr/bin/env bash
# The README's first command: on a fresh Debian 12 machine (as root) it installs what is missing, builds
# taskscope, starts the demo task locally (images/lab/lab.sh: runc, no Docker) and, from inside the monitor
# container (where an ECS Exec session lands on Fargate), replays the seed's scenario:
#   1. taskscope ps: the task's processes, grouped into containers, with their users;
#   2. taskscope trace on php-fpm's workers while /hoge.php is requested: the failing lstat/newfstatat;
#   3. the app container's /var/www/html, read through /proc/<pid>/root;
# then it tears the lab down (always, also on failure or Ctrl-C).
set -euo pipefail
LAB_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(cd "$LAB_DIR/../.." && pwd)
LAB=$LAB_DIR/lab.sh
cd "$REPO"

[ "$(id -u)" -eq 0 ] || { echo "demo: run it as root (it installs packages and starts containers with runc)" >&2; exit 1; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '\033[2m$ %s\033[0m\n' "$*"; }
in_monitor() { show "$*"; bash "$LAB" exec monitor "$@"; }

step "Installing what is missing (scripts/install-deps.sh)"
bash scripts/install-deps.sh

step "Building taskscope (mvn -B -q -ntp -DskipTests package)"
mvn -B -q -ntp -DskipTests package
ls -l cli/target/taskscope.jar

tmp=$(mktemp -d)
cleanup() {
  local rc=$?
  step "Tearing the lab down"
  bash "$LAB" down || rc=1
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Starting the demo task with runc: pause, app (php-fpm), web (nginx), then the monitor (taskscope)"
bash "$LAB" down >/dev/null 2>&1 || true
bash "$LAB" up
bash "$LAB" status

step "The task answers: GET /test.php through nginx (web) and php-fpm (app)"
show "curl http://127.0.0.1:8080/test.php   # from inside the task's network namespace"
bash "$LAB" curl /test.php | head -n 8
echo "    ..."

step "1. Every process of the task, from the monitor container (ECS Exec lands there)"
in_monitor taskscope ps

step "2. Tracing php-fpm's workers while /hoge.php (a file that does not exist) is requested"
workers=$(bash "$LAB" exec monitor taskscope ps --container app -o pid,uid | awk 'NR > 1 && $2 == 82 { print $1 }')
[ -n "$workers" ] || { echo "demo: no php-fpm worker (uid 82) in container app" >&2; exit 1; }
if bash "$LAB" exec monitor taskscope trace --help 2>/dev/null | grep -q -- '--container'; then
  trace_args=(--container app -e trace=%file)
else
  trace_args=()
  for w in $workers; do trace_args+=(-p "$w"); done
  trace_args+=(-e trace=%file)
fi
show "taskscope trace ${trace_args[*]}   # in the background"
# The trace runs until it gets SIGINT; its PID (the JVM: the wrappers exec) is kept to send it.
bash "$LAB" exec monitor sh -c 'echo $$ >/tmp/demo-trace.pid; exec taskscope trace "$@"' trace "${trace_args[@]}" \
  >"$tmp/trace.out" 2>&1 &
trace_job=$!
# Wait (bounded) until every worker is traced: TracerPid in its /proc status.
attached=0
for _ in $(seq 100); do
  attached=1
  for w in $workers; do
    tracer=$(bash "$LAB" exec monitor awk '/^TracerPid:/ { print $2 }' "/proc/$w/status" 2>/dev/null || echo 0)
    [ "${tracer:-0}" != 0 ] || attached=0
  done
  [ $attached = 1 ] && break
  kill -0 $trace_job 2>/dev/null || break
  sleep 0.2
done
[ $attached = 1 ] || { cat "$tmp/trace.out" >&2; echo "demo: taskscope trace did not attach to $workers" >&2; exit 1; }
show "curl -i http://127.0.0.1:8080/hoge.php"
for _ in $workers; do bash "$LAB" curl /hoge.php -i 2>&1 | sed -n '1p;$p'; done
sleep 0.5
bash "$LAB" exec monitor sh -c 'kill -INT "$(cat /tmp/demo-trace.pid)"'
wait $trace_job || true
show "(the trace's output)"
cat "$tmp/trace.out"
if ! grep -q 'hoge.php.*ENOENT' "$tmp/trace.out"; then
  # Older builds print raw arguments; the failing stat is still there, without its path decoded.
  grep -q 'ENOENT' "$tmp/trace.out" || { echo "demo: the trace shows no failing call (ENOENT)" >&2; exit 1; }
  echo "(this build of taskscope trace does not decode paths yet: the ENOENT lines are the failing stat of /var/www/html/hoge.php)"
fi

step "3. The app container's /var/www/html, read through /proc/<pid>/root"
if bash "$LAB" exec monitor taskscope fs ls --help >/dev/null 2>&1; then
  in_monitor taskscope fs ls app:/var/www/html
else
  master=$(bash "$LAB" exec monitor taskscope ps --container app -o pid,uid | awk 'NR > 1 && $2 == 0 { print $1; exit }')
  show "ls -la /proc/$master/root/var/www/html"
  bash "$LAB" exec monitor ls -la "/proc/$master/root/var/www/html"
fi

if bash "$LAB" exec monitor taskscope env --help >/dev/null 2>&1; then
  step "And the environment /proc/<pid>/environ no longer shows (php-fpm wrote its title over it), secrets redacted"
  w=$(echo "$workers" | head -n 1)
  in_monitor taskscope env "$w"
fi
