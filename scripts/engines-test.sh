#!/usr/bin/env bash
# taskscope on real container engines, offline: Debian's Docker 20.10, docker-compose 1.29 and podman 4.3.
# Run as root on Debian 12 after `mvn package` (it uses cli/target/taskscope.jar); the test suite runs it
# (cli/src/test/java/io/taskscope/lab/EnginesIT.java). Cases (TASKSCOPE_ENGINES_CASES, default all):
#   docker    docker run --pid=container:pause --network container:pause (seed 004), no engine socket in the monitor
#   compose   images/compose.yaml (+ compose.engine-socket.yaml) with docker-compose; the monitor runs the agent
#   pidhost   the monitor with docker run --pid=host, the engine socket mounted
#   pod       a podman pod with --share pid,net,ipc, podman's API socket in the monitor
#   kube      podman kube play images/kubernetes/pod.yaml (shareProcessNamespace: true), no socket
# In each: `taskscope ps` names the containers as the engine does (names with a socket, short IDs without, never a
# process name), `trace` sees php-fpm's failing stat of hoge.php, `fs ls`, `env` and `doctor` work.
#
# Nothing is pulled and nothing leaves loopback: the base image is `debootstrap --variant=minbase bookworm` with
# Debian's nginx-light, php-fpm and a JRE (from the Debian mirror apt uses), cached in $CACHE; stand-ins of the
# upstream images are built from it (images/engines/); dockerd runs with --bridge=none --iptables=false, every
# container joins a pause container's network namespace that has only loopback (--network none).
# Cached deliberately between runs, in $CACHE (default /var/cache/taskscope/engines): the base tarball, and the
# private data roots of this test's dockerd and podman (their images). Nothing else stays: containers, pods, the
# daemons, their mounts and the work directory are removed at the end, also on failure.
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
# Debian's engine clients, whatever else is on PATH.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
CACHE=${TASKSCOPE_ENGINES_CACHE:-/var/cache/taskscope/engines}
JAR=${TASKSCOPE_JAR:-$REPO/cli/target/taskscope.jar}
CASES=${TASKSCOPE_ENGINES_CASES:-docker compose pidhost pod kube}
BASE_PACKAGES=nginx-light,php8.2-fpm,php8.2-cli,openjdk-17-jre-headless,wget,procps,man-db,bash-completion
MIRROR=${TASKSCOPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE_IMAGE=taskscope-engines/base:bookworm
PROCESS_NAMES='^(php-fpm|php-fpm8\.2|nginx|sleep|pause|catatonit|java|sh|taskscope)$'
T0=$(date +%s)

say() { echo "engines [$(( $(date +%s) - T0 ))s]: $*" >&2; }
die() { echo "engines: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (dockerd, podman, namespaces)"
for c in dockerd docker docker-compose podman debootstrap gcc nsenter curl jq; do
  command -v "$c" >/dev/null || die "missing command $c; run scripts/install-deps.sh as root"
done
[ -f "$JAR" ] || die "no $JAR; build it first (mvn -DskipTests package)"

mkdir -p "$CACHE"
# One run at a time on a machine: the cached data roots belong to one dockerd and one podman.
exec 9>"$CACHE/lock"
flock -w 1800 9 || die "another engines test holds $CACHE/lock for 30 minutes"
WORK=$(mktemp -d /tmp/tsengines.XXXXXX)
DOCKER_SOCK=$WORK/docker.sock
PODMAN_SOCK=$WORK/podman.sock
export DOCKER_HOST=unix://$DOCKER_SOCK
DOCKERD_PID=
PODMAN_API_PID=
# A guard rail for "never pull": the daemons' registry clients go through a proxy on a closed loopback port, so a
# lookup of an image that is not local fails at once instead of leaving the machine.
NO_REGISTRY=(env HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9
             https_proxy=http://127.0.0.1:9 NO_PROXY= no_proxy=)
# podman's database remembers its run and temporary directories: fixed ones (on /run), removed at the end.
PODMAN_RUN=/run/taskscope-engines
PODMAN=("${NO_REGISTRY[@]}" podman --root "$CACHE/podman" --runroot "$PODMAN_RUN/run" --tmpdir "$PODMAN_RUN/tmp"
        --cgroup-manager cgroupfs --events-backend file)
# Root here lacks CAP_SYS_RESOURCE: podman's default rlimits (nproc, nofile) are above what it may set.
cat >"$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
EOF
export CONTAINERS_CONF=$WORK/containers.conf
# State directories the engines create outside their configured roots (dockerd's plugins, containerd's shim
# sockets, podman's alive/exits files): removed at the end when this run created them.
RUN_DIRS=()
for d in /run/docker /run/containerd /run/libpod; do [ -e "$d" ] || RUN_DIRS+=("$d"); done
# Likewise the parent cgroups dockerd and podman (cgroupfs driver) make in every hierarchy: removed when empty.
CGROUP_DIRS=()
for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
  [ -d "$h" ] || continue
  for d in "$h/docker" "$h/libpod_parent"; do [ -e "$d" ] || CGROUP_DIRS+=("$d"); done
done

# ---------------------------------------------------------------------------------------------------------- cleanup
cleanup() {
  local rc=$?
  set +e
  if [ -n "$PODMAN_API_PID" ]; then kill "$PODMAN_API_PID" 2>/dev/null; wait "$PODMAN_API_PID" 2>/dev/null; fi
  if [ -d "$CACHE/podman" ]; then
    "${PODMAN[@]}" pod rm -af -t 2 >/dev/null 2>&1
    "${PODMAN[@]}" rm -af -t 2 >/dev/null 2>&1
    "${PODMAN[@]}" image prune -f >/dev/null 2>&1
  fi
  if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    local ids
    ids=$(docker ps -aq 2>/dev/null)
    [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1
    docker image prune -f >/dev/null 2>&1
    local children
    children=$(pgrep -P "$DOCKERD_PID")
    kill "$DOCKERD_PID"
    for _ in $(seq 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$DOCKERD_PID" 2>/dev/null
    for p in $children; do kill "$p" 2>/dev/null; done
  fi
  # Whatever the daemons left mounted under our directories (nothing, normally): unmounted, and a failure.
  local left
  left=$(awk -v w="$WORK" -v c="$CACHE" -v r="$PODMAN_RUN" '$5 ~ "^" w || $5 ~ "^" r || $5 ~ "^" c "/(docker|podman)/" {print $5}' \
    /proc/self/mountinfo | sort -r)
  if [ -n "$left" ]; then
    echo "engines: mounts left behind: $left" >&2
    for m in $left; do umount -l "$m" 2>/dev/null; done
    [ "$rc" -ne 0 ] || rc=1
  fi
  for d in "${RUN_DIRS[@]}"; do rm -rf "$d"; done
  rm -rf "$PODMAN_RUN"
  for d in "${CGROUP_DIRS[@]}"; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
  rm -rf "$WORK"
  [ "$rc" -eq 0 ] && say "all cases passed" || echo "engines: failed (exit $rc)" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# -------------------------------------------------------------------------------------------------- base and images
# debootstrap's minbase plus the packages, as a tarball keyed by what goes into it.
base_tarball() {
  local key tar
  key=$(echo "bookworm $BASE_PACKAGES" | sha256sum | cut -c1-12)
  tar=$CACHE/base-$key.tar
  if [ ! -f "$tar" ]; then
    say "debootstrap bookworm (first run only; cached in $tar)"
    mkdir -p "$CACHE"
    local root=$CACHE/rootfs.$$
    rm -rf "$root"
    debootstrap --variant=minbase --include="$BASE_PACKAGES" bookworm "$root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
      { tail -20 "$WORK/debootstrap.log" >&2; rm -rf "$root"; die "debootstrap failed"; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
    tar --numeric-owner -C "$root" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
    rm -rf "$root"
    find "$CACHE" -maxdepth 1 -name 'base-*.tar' ! -name "${tar##*/}" -delete # an older package list's
  fi
  echo "$tar"
}

# An image is imported again only when its tarball changed.
import_base() {
  local tar=$1 key
  key=$(stat -c %Y-%s "$tar")
  if [ "$(docker image inspect -f '{{index .Config.Labels "base-key"}}' "$BASE_IMAGE" 2>/dev/null)" != "$key" ]; then
    say "docker import $BASE_IMAGE"
    docker import --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      --change "LABEL base-key=$key" "$tar" "$BASE_IMAGE" >/dev/null
  fi
}

build() { DOCKER_BUILDKIT=1 docker build -q --network none "$@" >/dev/null; }

build_images() {
  mkdir -p "$WORK/pause"
  gcc -static -O2 -o "$WORK/pause/pause" "$REPO/images/lab/pause.c"
  cp "$REPO/images/engines/pause/Dockerfile" "$WORK/pause/"
  say "building the stand-ins (images/engines)"
  build -t taskscope-engines/pause "$WORK/pause"
  build -t taskscope-engines/php-fpm -f "$REPO/images/engines/php-fpm/Dockerfile" "$REPO/images"
  build -t taskscope-engines/nginx -f "$REPO/images/engines/nginx/Dockerfile" "$REPO/images"
  say "building images/app, images/web, images/monitor with docker-compose (BuildKit, the jar from mvn package)"
  compose build -q >"$WORK/compose-build.log" 2>&1 || { cat "$WORK/compose-build.log" >&2; die "docker-compose build failed"; }
}

# The project's compose file, offline: stand-in bases, the prebuilt jar, the pause container on loopback only.
export TASKSCOPE_PAUSE_IMAGE=taskscope-engines/pause TASKSCOPE_APP_BASE=taskscope-engines/php-fpm \
  TASKSCOPE_WEB_BASE=taskscope-engines/nginx TASKSCOPE_JRE_IMAGE=$BASE_IMAGE TASKSCOPE_JAR_SOURCE=prebuilt \
  TASKSCOPE_BUILD_IMAGE=$BASE_IMAGE \
  TASKSCOPE_NETWORK_MODE=none TASKSCOPE_BUILD_NETWORK=none TASKSCOPE_ENGINE_SOCKET=$DOCKER_SOCK DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
# The agent (the monitor's command in compose.yaml) traces in lifecycle mode by default (docs/modes.md): for
# `trace` through it to show php-fpm's calls, the containers are traced in syscall mode, in full.
cat >"$WORK/compose.syscalls.yaml" <<'YAML'
services:
  monitor:
    environment:
      TASKSCOPE_SYSCALL_CONTAINERS: app   # named as ps names it: the agent asks the engine too (Discovery)
      TASKSCOPE_BUDGET: none
      TASKSCOPE_METRICS_INTERVAL: 2s      # for check_agent_names: a metrics line within seconds
YAML
compose() {
  docker-compose -p tsengines -f "$REPO/images/compose.yaml" -f "$REPO/images/compose.engine-socket.yaml" \
    -f "$WORK/compose.syscalls.yaml" "$@"
}

# ------------------------------------------------------------------------------------------------------------ engines
start_dockerd() {
  mkdir -p "$CACHE/docker"
  say "dockerd --bridge=none --iptables=false --ip6tables=false (data root $CACHE/docker)"
  "${NO_REGISTRY[@]}" dockerd --data-root "$CACHE/docker" --exec-root "$WORK/dx" --pidfile "$WORK/dockerd.pid" -H "$DOCKER_HOST" \
    --bridge=none --iptables=false --ip6tables=false --ip-masq=false --userland-proxy=false \
    >"$WORK/dockerd.log" 2>&1 9>&- &
  DOCKERD_PID=$!
  for _ in $(seq 300); do
    docker version >/dev/null 2>&1 && return 0
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.1
  done
  tail -20 "$WORK/dockerd.log" >&2
  die "dockerd did not start"
}

start_podman_api() {
  say "podman system service on $PODMAN_SOCK"
  "${PODMAN[@]}" system service --time=0 "unix://$PODMAN_SOCK" >"$WORK/podman-api.log" 2>&1 9>&- &
  PODMAN_API_PID=$!
  for _ in $(seq 100); do
    curl -sf --unix-socket "$PODMAN_SOCK" http://d/_ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  tail -20 "$WORK/podman-api.log" >&2
  die "podman's API service did not start"
}

podman_images() {
  say "docker save | podman load (the very images docker built)"
  docker save taskscope-engines/pause taskscope-app taskscope-web taskscope-monitor | "${PODMAN[@]}" load -q >/dev/null
}

# ------------------------------------------------------------------------------------------------------------ checks
# MON: the command prefix that runs a command in the monitor; NETPID: a host PID in the task's network namespace.
MON=()
NETPID=

http() { nsenter -t "$NETPID" -n curl -s -m 5 "http://127.0.0.1:8080/$1"; }

wait_ready() {
  local i
  for i in $(seq 150); do
    http healthz 2>/dev/null | grep -q ok && http test.php 2>/dev/null | grep -q SCRIPT_FILENAME && return 0
    sleep 0.2
  done
  die "$CASE: web/app did not answer /healthz and /test.php in 30 s"
}

# check_case APP_TARGET EXPECTED_NAMES...: the user-visible promises, in the monitor.
check_case() {
  local app=$1
  shift
  local out=$WORK/$CASE
  mkdir -p "$out"
  "${MON[@]}" taskscope ps >"$out/ps.txt" 2>"$out/ps.err" || { cat "$out/ps.err" >&2; die "$CASE: taskscope ps failed"; }
  sed "s/^/  $CASE ps | /" "$out/ps.txt" "$out/ps.err" >&2
  "${MON[@]}" taskscope ps --json >"$out/ps.json" 2>/dev/null || die "$CASE: taskscope ps --json failed"
  local names
  names=$(jq -r '.containers[] | select(.source != "namespace") | .name' "$out/ps.json" | sort | tr '\n' ' ')
  for n in "$@"; do
    jq -e --arg n "$n" '.containers[] | select(.name == $n)' "$out/ps.json" >/dev/null ||
      die "$CASE: no container named '$n' in taskscope ps (containers with an ID: $names)"
  done
  # Never a process name for a container with an ID (unless the engine calls it so: compose's service "pause").
  local bad expected
  expected=$(printf '%s\n' "$@" | jq -R . | jq -s .)
  bad=$(jq -r --arg re "$PROCESS_NAMES" --argjson ok "$expected" '.containers[] | select(.source != "namespace")
      | select((.name | test($re)) and (.name as $n | $ok | index($n) | not)) | .name' "$out/ps.json")
  [ -z "$bad" ] || die "$CASE: containers named after a process: $bad"
  jq -e '.processes[] | select(.role == "pause")' "$out/ps.json" >/dev/null || die "$CASE: no pause process in taskscope ps"
  jq -e --arg a "$app" '.processes[] | select(.container == $a and (.command | startswith("php-fpm: pool")))' "$out/ps.json" >/dev/null ||
    die "$CASE: php-fpm's workers are not in container '$app'"

  "${MON[@]}" taskscope fs ls "$app:/var/www/html" >"$out/fs.txt" 2>&1 || { cat "$out/fs.txt" >&2; die "$CASE: fs ls $app:/var/www/html failed"; }
  grep -q 'test\.php' "$out/fs.txt" || { cat "$out/fs.txt" >&2; die "$CASE: fs ls $app:/var/www/html does not list test.php"; }
  "${MON[@]}" taskscope env "$app" >"$out/env.txt" 2>&1 || { cat "$out/env.txt" >&2; die "$CASE: env $app failed"; }
  grep -q '^PATH=' "$out/env.txt" || { head -5 "$out/env.txt" >&2; die "$CASE: env $app shows no PATH"; }
  if ! "${MON[@]}" taskscope doctor >"$out/doctor.txt" 2>&1; then
    # With --pid=host the monitor also sees the host's processes; those it may not read (here the machine's own
    # PID 1, in another user namespace) are no container of the task. Every other check must pass.
    if [ "$CASE" != pidhost ] || grep '^FAIL' "$out/doctor.txt" | grep -v ', no container)' | grep -q .; then
      cat "$out/doctor.txt" >&2
      die "$CASE: doctor failed"
    fi
    grep '^FAIL' "$out/doctor.txt" | sed "s/^/  $CASE doctor (host process, tolerated) | /" >&2
  fi
  check_trace "$app"
  say "$CASE: ps, fs ls, env, doctor, trace: ok (containers with an ID: $names)"
}

# trace of the app container's php-fpm workers while hoge.php is requested: one fails to stat it (ENOENT).
check_trace() {
  local app=$1 out=$WORK/$CASE
  # php-fpm's workers by PID, not --container: a health check's short-lived `php -r` in the app container is no
  # process the agent traces, and trace would then attach itself rather than relay.
  local workers
  workers=$(jq -r --arg a "$app" '[.processes[] | select(.container == $a and (.command | startswith("php-fpm: pool")))
      | .pid | tostring] | join(",")' "$out/ps.json")
  mkfifo "$out/trace.in"
  "${MON[@]}" taskscope trace -p "$workers" -e trace=%file <"$out/trace.in" >"$out/trace.txt" 2>&1 &
  local tpid=$!
  exec 7>"$out/trace.in" # the trace runs until its input ends
  local i ok=
  for i in $(seq 300); do
    grep -Eq 'attached|already traces' "$out/trace.txt" 2>/dev/null && break
    kill -0 "$tpid" 2>/dev/null || break
    sleep 0.1
  done
  sleep 0.5
  for i in $(seq 120); do # up to 30 s: a loaded machine delays attaching and the agent's relay
    http hoge.php | grep -q 'File not found' || true
    if grep -Eq '(stat|statx|newfstatat|lstat)\(.*"/var/www/html/hoge\.php".*= -1 ENOENT' "$out/trace.txt"; then ok=1; break; fi
    sleep 0.25
  done
  exec 7>&-
  for i in $(seq 100); do kill -0 "$tpid" 2>/dev/null || break; sleep 0.1; done
  kill "$tpid" 2>/dev/null || true
  wait "$tpid" 2>/dev/null || true
  [ -n "$ok" ] || { tail -20 "$out/trace.txt" >&2; die "$CASE: trace of '$app' saw no failing stat of /var/www/html/hoge.php"; }
  { head -2 "$out/trace.txt"; grep -E 'hoge\.php.*ENOENT' "$out/trace.txt" | head -1; } | sed "s/^/  $CASE trace | /" >&2
}

short() { cut -c1-12; }

# check_agent_names NAME CONTAINER_ID MONITOR_ID: the agent (the monitor's command) names a container as ps does:
# a shell exec'd in it is an exec event, a shell-in-container alert (output_fields container.name and Falco's
# 12-digit container.id) and a metrics line, all with NAME, never the short ID.
check_agent_names() {
  local name=$1 cid=$2 mon=$3 out=$WORK/$CASE i exec alert metrics
  # The agent attaches the new shell within a scan (500 ms); its exec 3 s later is then an event of a traced process.
  docker exec "$cid" sh -c 'sleep 3; exec sh -c ": taskscope-names"' || die "$CASE: docker exec in $name failed"
  for i in $(seq 40); do
    docker logs "$mon" 2>/dev/null >"$out/agent.jsonl"
    exec=$(jq -Rc 'fromjson? | select(.type == "process" and .kind == "exec" and ((.argv // []) | index(": taskscope-names")))' \
      "$out/agent.jsonl" | sed -n 1p)
    alert=$(jq -Rc 'fromjson? | select(.type == "alert" and .rule == "shell-in-container"
        and (.output_fields["proc.cmdline"] // "" | contains("taskscope-names")))' "$out/agent.jsonl" | sed -n 1p)
    metrics=$(jq -Rc --arg n "$name" 'fromjson? | select(._aws and .Container == $n)' "$out/agent.jsonl" | sed -n 1p)
    [ -n "$exec" ] && [ -n "$alert" ] && [ -n "$metrics" ] && break
    sleep 0.5
  done
  [ -n "$exec" ] || { tail -20 "$out/agent.jsonl" >&2; die "$CASE: the agent reported no exec of the shell in $name"; }
  [ -n "$alert" ] || { tail -20 "$out/agent.jsonl" >&2; die "$CASE: the agent raised no shell-in-container alert for $name"; }
  [ -n "$metrics" ] || { tail -5 "$out/agent.jsonl" >&2; die "$CASE: no metrics line of the agent for container $name"; }
  local short_id
  short_id=$(echo "$cid" | short)
  echo "$exec" | jq -e --arg n "$name" '.container == $n' >/dev/null ||
    die "$CASE: the agent's exec event names the container $(echo "$exec" | jq -c .container), ps names it $name"
  echo "$alert" | jq -e --arg n "$name" --arg id "$short_id" '.container == $n and .output_fields["container.name"] == $n
      and .output_fields["container.id"] == $id' >/dev/null ||
    die "$CASE: the alert names the container $(echo "$alert" | jq -c '[.container, .output_fields["container.name"], .output_fields["container.id"]]'), expected [$name, $name, $short_id]"
  echo "$alert" | jq -c '{rule, container, "container.name": .output_fields["container.name"], "container.id": .output_fields["container.id"]}' |
    sed "s/^/  $CASE agent alert | /" >&2
  say "$CASE: agent events, alerts and metrics name the container $name: ok"
}

# --------------------------------------------------------------------------------------------------------------- cases
case_docker() {
  docker run -d --name pause --network none taskscope-engines/pause >/dev/null
  for c in app web; do docker run -d --name "$c" --pid container:pause --network container:pause "taskscope-$c" >/dev/null; done
  docker run -d --name monitor --pid container:pause --network container:pause --cap-add SYS_PTRACE \
    taskscope-monitor sleep infinity >/dev/null
  MON=(docker exec -i monitor)
  NETPID=$(docker inspect -f '{{.State.Pid}}' pause)
  wait_ready
  local app web mon
  app=$(docker inspect -f '{{.Id}}' app | short); web=$(docker inspect -f '{{.Id}}' web | short)
  mon=$(docker inspect -f '{{.Id}}' monitor | short)
  check_case "$app" "$app" "$web" "$mon"
  docker rm -f monitor web app pause >/dev/null
}

case_compose() {
  compose up -d --no-build >"$WORK/compose-up.log" 2>&1 || { cat "$WORK/compose-up.log" >&2; die "docker-compose up failed"; }
  MON=(docker exec -i "$(compose ps -q monitor)")
  NETPID=$(docker inspect -f '{{.State.Pid}}' "$(compose ps -q pause)")
  wait_ready
  # The agent attaches to what it discovers within a scan or two; `trace` relays only what it already traces.
  local i
  for i in $(seq 60); do
    "${MON[@]}" taskscope ps --json 2>/dev/null | jq -e '[.processes[] | select(.container == "app")]
        | length > 0 and all(.tracedByAgent == true)' >/dev/null && break
    sleep 0.5
  done
  check_case app app web monitor pause
  check_agent_names app "$(compose ps -q app)" "$(compose ps -q monitor)"
  compose down -t 2 >/dev/null 2>&1 || die "docker-compose down failed"
}

case_pidhost() {
  docker run -d --name pause --network none taskscope-engines/pause >/dev/null
  for c in app web; do docker run -d --name "$c" --pid container:pause --network container:pause "taskscope-$c" >/dev/null; done
  docker run -d --name monitor --pid host --network container:pause --cap-add SYS_PTRACE \
    -v "$DOCKER_SOCK:/var/run/docker.sock:ro" taskscope-monitor sleep infinity >/dev/null
  MON=(docker exec -i monitor)
  NETPID=$(docker inspect -f '{{.State.Pid}}' pause)
  wait_ready
  check_case app app web monitor pause
  docker rm -f monitor web app pause >/dev/null
}

case_pod() {
  "${PODMAN[@]}" pod create --name tsengines --share pid,net,ipc --network none >/dev/null
  for c in app web; do "${PODMAN[@]}" run -d --pod tsengines --name "$c" "taskscope-$c" >/dev/null; done
  "${PODMAN[@]}" run -d --pod tsengines --name monitor --cap-add SYS_PTRACE \
    -v "$PODMAN_SOCK:/run/podman/podman.sock" taskscope-monitor sleep infinity >/dev/null
  MON=("${PODMAN[@]}" exec -i monitor)
  NETPID=$("${PODMAN[@]}" inspect -f '{{.State.Pid}}' "$("${PODMAN[@]}" pod inspect -f '{{.InfraContainerID}}' tsengines)")
  wait_ready
  check_case app app web monitor
  "${PODMAN[@]}" pod rm -f -t 2 tsengines >/dev/null
}

case_kube() {
  "${PODMAN[@]}" kube play --network none "$REPO/images/kubernetes/pod.yaml" >"$WORK/kube.log" 2>&1 ||
    { cat "$WORK/kube.log" >&2; die "podman kube play images/kubernetes/pod.yaml failed"; }
  MON=("${PODMAN[@]}" exec -i taskscope-monitor)
  NETPID=$("${PODMAN[@]}" inspect -f '{{.State.Pid}}' "$("${PODMAN[@]}" pod inspect -f '{{.InfraContainerID}}' taskscope)")
  wait_ready
  local app web
  app=$("${PODMAN[@]}" inspect -f '{{.Id}}' taskscope-app | short); web=$("${PODMAN[@]}" inspect -f '{{.Id}}' taskscope-web | short)
  check_case "$app" "$app" "$web"
  "${PODMAN[@]}" pod rm -f -t 2 taskscope >/dev/null
}

# ---------------------------------------------------------------------------------------------------------------- main
TAR=$(base_tarball)
start_dockerd
import_base "$TAR"
build_images
for CASE in $CASES; do
  case $CASE in
    docker | compose | pidhost) ;;
    pod | kube) [ -n "$PODMAN_API_PID" ] || { podman_images; start_podman_api; } ;;
    *) die "unknown case '$CASE' in TASKSCOPE_ENGINES_CASES (docker compose pidhost pod kube)" ;;
  esac
  say "case $CASE"
  "case_$CASE"
done
# Nothing of the cases is left: no container, no pod.
[ -z "$(docker ps -aq)" ] || die "containers left behind: $(docker ps -a --format '{{.Names}}' | tr '\n' ' ')"
if [ -n "$PODMAN_API_PID" ]; then
  [ -z "$("${PODMAN[@]}" ps -aq)" ] || die "podman containers left behind"
  [ -z "$("${PODMAN[@]}" pod ps -q)" ] || die "podman pods left behind"
fi
