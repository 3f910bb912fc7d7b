#!/usr/bin/env bash
# The demo task of task-definition.json on this machine, with runc and Debian's packages instead of Docker
# and images: a pause container owns the task's PID and network namespaces (PID 1 is /pause, localhost is
# shared as with awsvpc), and web (nginx, uid 101), app (php-fpm: master root, workers uid 82) and monitor
# (the taskscope jar, CAP_SYS_PTRACE) join both, each in its own mount namespace and root filesystem.
#
#   lab.sh up                      start the task (the monitor last, once web and app are healthy)
#   lab.sh status [--json]         the containers, their state and host PIDs
#   lab.sh exec CONTAINER CMD...   run a command in a container (runc exec), e.g. exec monitor taskscope ps
#   lab.sh curl PATH [CURL_ARGS]   request http://127.0.0.1:8080/PATH from inside the task's network namespace
#   lab.sh logs CONTAINER          the container's stdout and stderr
#   lab.sh down                    stop and remove everything (idempotent)
#
# Settings (environment): TSLAB_ID names this lab (default: the checkout's directory name), so that labs of
# several checkouts can run side by side: runc ids are tslab-<id>-<container>, state is in TSLAB_STATE/<id>
# (default <repo>/.lab/<id>). TSLAB_JAR is the taskscope jar (default cli/target/taskscope.jar);
# TSLAB_MONITOR_CMD the monitor's main process (default "sleep infinity").
set -euo pipefail

LAB_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(cd "$LAB_DIR/../.." && pwd)
IMAGES=$REPO/images

default_id() {
  local n
  n=$(basename "$REPO" | tr 'A-Z_.' 'a-z--' | tr -cd 'a-z0-9-')
  n=${n#-}
  echo "${n:0:20}"
}
ID=${TSLAB_ID:-$(default_id)}
[ -n "$ID" ] || ID=lab
STATE_ROOT=${TSLAB_STATE:-$REPO/.lab}
STATE=$STATE_ROOT/$ID
JAR=${TSLAB_JAR:-$REPO/cli/target/taskscope.jar}
MONITOR_CMD=${TSLAB_MONITOR_CMD:-sleep infinity}
CONTAINERS=(pause metadata app web monitor) # start order
TASK_CONTAINERS=(app web monitor)           # the containers of task-definition.json
METADATA_ADDR=169.254.170.2                 # ECS's task metadata address, inside the task's network namespace
READY_TIMEOUT=${TSLAB_READY_TIMEOUT:-30}    # seconds per readiness step (bounded, generous for loaded VMs)

# Docker's default capability set: what Fargate gives a container before linuxParameters.capabilities.add.
DOCKER_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID",
  "CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"]'

say() { echo "lab: $*" >&2; }
die() { echo "lab: $*" >&2; exit 1; }
usage_error() { echo "lab: $*" >&2; exit 2; }   # a mistake in the command line, as the CLI's exit 2
rid() { echo "tslab-$ID-$1"; }
now_ms() { date +%s%3N; }

check_id() {
  [[ $ID =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]] ||
    die "TSLAB_ID '$ID' is not a valid lab id; use lower-case letters, digits and '-' (at most 31)"
}

require_root() {
  [ "$(id -u)" -eq 0 ] || die "the lab needs root (runc, namespaces, mounts); run it with sudo or as root"
}

require_commands() {
  local missing=() c
  for c in runc jq gcc nsenter ip curl nginx php-fpm8.2 java; do
    command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || missing+=("$c")
  done
  [ ${#missing[@]} -eq 0 ] || die "missing commands: ${missing[*]}; run scripts/install-deps.sh as root"
}

container_known() {
  local c
  for c in "${CONTAINERS[@]}"; do [ "$c" = "$1" ] && return 0; done
  return 1
}

# "running", "created", "stopped"... or "absent".
cstatus() { runc state "$(rid "$1")" 2>/dev/null | jq -r '.status' 2>/dev/null || echo absent; }
cpid() { runc state "$(rid "$1")" 2>/dev/null | jq -r '.pid' 2>/dev/null || echo 0; }

lab_containers() { runc list -q 2>/dev/null | grep -E "^tslab-$ID-" || true; }

with_lock() {
  mkdir -p "$STATE_ROOT"
  exec 9>"$STATE_ROOT/$ID.lock"
  flock -w 30 9 || die "another lab.sh holds $STATE_ROOT/$ID.lock; wait for it or remove the lock"
}

# ---------------------------------------------------------------------------------------------- rootfs

# The container being built: its bind mounts ("source<TAB>destination<TAB>ro or rw"), argv and environment.
MOUNTS=()
ARGS=()
ENVS=()
bind_ro() { MOUNTS+=("$1"$'\t'"$2"$'\t'ro); }
bind_rw() { MOUNTS+=("$1"$'\t'"$2"$'\t'rw); }

# The host's /usr (read-only) and its top-level links to it, as in any merged-/usr distribution.
base_rootfs() {
  local r=$1 d
  mkdir -p "$r"/{etc,tmp,run,root,usr,var/tmp,proc,dev,sys}
  chmod 1777 "$r/tmp" "$r/var/tmp"
  chmod 700 "$r/root"
  bind_ro /usr /usr
  # Debian's /usr/bin/awk, java, editor... are links through /etc/alternatives: the host's, read-only.
  if [ -d /etc/alternatives ]; then
    mkdir -p "$r/etc/alternatives"
    bind_ro /etc/alternatives /etc/alternatives
  fi
  for d in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$d" ]; then
      ln -s "$(readlink "/$d")" "$r/$d"
    elif [ -d "/$d" ]; then
      mkdir -p "$r/$d"
      bind_ro "/$d" "/$d"
    fi
  done
}

# /etc of a container: its own users (the image's), name resolution from files only.
write_etc() {
  local e=$1/etc; shift
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$e/passwd"
  printf 'root:x:0:\n' >"$e/group"
  local u
  for u in "$@"; do  # name:uid:home
    IFS=: read -r name uid home <<<"$u"
    printf '%s:x:%s:%s:%s:%s:/sbin/nologin\n' "$name" "$uid" "$uid" "$name" "$home" >>"$e/passwd"
    printf '%s:x:%s:\n' "$name" "$uid" >>"$e/group"
  done
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$e/hosts"
  printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' >"$e/nsswitch.conf"
  : >"$e/resolv.conf"
}

build_pause() {
  local src=$LAB_DIR/pause.c sum bin
  sum=$(sha256sum "$src" | cut -c1-16)
  bin=$STATE_ROOT/.pause-$sum
  if [ ! -x "$bin" ]; then
    gcc -static -O2 -o "$bin.tmp" "$src" || die "cannot compile $src; install gcc and libc6-dev (scripts/install-deps.sh)"
    mv "$bin.tmp" "$bin"
  fi
  echo "$bin"
}

# ---------------------------------------------------------------------------------------------- config

# `runc spec` (the non-rootless default), generated once per lab.
runc_spec() {
  local f=$STATE/runc-spec/config.json
  if [ ! -f "$f" ]; then
    mkdir -p "$STATE/runc-spec"
    runc spec --bundle "$STATE/runc-spec"
  fi
  echo "$f"
}

# The OCI config of one container: `runc spec` with MOUNTS, ARGS, ENVS and
#   capabilities: runc (runc's default set), runc+ptrace (plus CAP_SYS_PTRACE: the monitor), docker (Docker's
#   default set, as Fargate grants it to a root process), docker-user (the same set as bounding only: what a
#   non-root process keeps under Docker);
#   seccomp: Docker's default profile plus the syscalls Docker unlocks for the capabilities held;
#   namespaces: the pause container creates the task's; the others join its pid, network and uts namespaces;
#   cgroups shaped like Fargate's: /ecs/<task id>/<task id>-<container number>.
write_config() {
  local name=$1 uid=$2 gid=$3 capmode=$4 cwd=$5 pausepid=0 cg
  cg=/ecs/$(cat "$STATE/task-id")/$(docker_id "$name")
  # The metadata server is no part of the task (on Fargate it is the agent's).
  [ "$name" = metadata ] && cg=/$(rid metadata)
  [ "$name" = pause ] || pausepid=$(cat "$STATE/pause.pid")
  jq --arg name "$name" --arg host "$ID" --argjson pausepid "$pausepid" \
     --arg args "$(printf '%s\n' "${ARGS[@]}")" --arg env "$(printf '%s\n' "${ENVS[@]}")" \
     --arg mounts "$(printf '%s\n' "${MOUNTS[@]}")" --argjson uid "$uid" --argjson gid "$gid" \
     --arg capmode "$capmode" --argjson docker "$DOCKER_CAPS" --arg cwd "$cwd" \
     --arg cg "$cg" \
     --slurpfile seccomp "$LAB_DIR/seccomp.json" '
    def lines: split("\n") | map(select(length > 0));
    .process.capabilities as $runc
    | (if $capmode == "runc" then $runc
       elif $capmode == "runc+ptrace" then $runc | map_values(. + ["CAP_SYS_PTRACE"])
       elif $capmode == "docker" then {bounding: $docker, effective: $docker, permitted: $docker}
       else {bounding: $docker, effective: [], permitted: []} end) as $caps
    | if ($caps.bounding | index("CAP_SYS_ADMIN")) then error("seccomp.json is resolved for containers without CAP_SYS_ADMIN") else . end
    | $seccomp[0] as $s
    | ([$caps.bounding[] | $s.byCapability[.] // empty] | add // [] | unique) as $extra
    | .process.terminal = false
    | .process.args = ($args | lines) | .process.env = ($env | lines) | .process.cwd = $cwd
    | .process.user = {uid: $uid, gid: $gid}
    | .process.capabilities = $caps
    | .root = {path: "rootfs", readonly: false}
    | (if $name == "pause" then .hostname = $host else del(.hostname) end)
    | .mounts += [$mounts | lines[] | split("\t") | {destination: .[1], type: "bind", source: .[0], options: ["rbind", .[2]]}]
    | .linux.namespaces = (if $name == "pause"
        then [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}]
        elif $name == "metadata"
        then [{type: "pid"}, {type: "network", path: "/proc/\($pausepid)/ns/net"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}]
        else [{type: "pid", path: "/proc/\($pausepid)/ns/pid"}, {type: "network", path: "/proc/\($pausepid)/ns/net"},
              {type: "uts", path: "/proc/\($pausepid)/ns/uts"}, {type: "ipc"}, {type: "mount"}] end)
    | .linux.seccomp = ($s.profile | .syscalls += (if ($extra | length) > 0 then [{names: $extra, action: "SCMP_ACT_ALLOW"}] else [] end))
    | .linux.cgroupsPath = $cg
    | .annotations = {"io.taskscope.lab.id": $host, "io.taskscope.lab.container": $name}' \
    "$(runc_spec)" >"$STATE/$name/config.json"
}

bundle_pause() {
  local r=$STATE/pause/rootfs
  MOUNTS=(); ARGS=(/pause); ENVS=(PATH=/)
  mkdir -p "$r"/{proc,dev,sys}
  cp "$(build_pause)" "$r/pause"
  write_config pause 0 0 runc /
}

# Fargate-shaped container ids, <task id>-<number>, drawn once per `up` (state file "ids").
declare -A IDS=()
docker_id() {
  if [ ${#IDS[@]} -eq 0 ]; then
    local name id
    while read -r name id; do IDS[$name]=$id; done <"$STATE/ids"
  fi
  echo "${IDS[$1]}"
}

# ECS Task Metadata v4, as Fargate serves it to every container of the task: a static copy of the task's
# description (the ids are the Fargate-shaped cgroup leaves, which is how taskscope matches processes to
# container names), served by nginx from a container of its own PID namespace, like the ECS agent that is
# outside the task.
bundle_metadata() {
  local r=$STATE/metadata/rootfs taskid c
  taskid=$(cat "$STATE/task-id")
  MOUNTS=(); ARGS=(nginx -c /etc/nginx/metadata.conf -g "daemon off;")
  ENVS=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  base_rootfs "$r"
  write_etc "$r" nobody:65534:/nonexistent
  mkdir -p "$r/etc/nginx" "$r/var/log/nginx"
  ln -s /dev/stderr "$r/var/log/nginx/error.log"
  cat >"$r/etc/nginx/metadata.conf" <<EOF
user nobody nobody;
worker_processes 1;
error_log /dev/stderr warn;
pid /tmp/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path /tmp/client_temp;
    proxy_temp_path /tmp/proxy_temp;
    fastcgi_temp_path /tmp/fastcgi_temp;
    uwsgi_temp_path /tmp/uwsgi_temp;
    scgi_temp_path /tmp/scgi_temp;
    server {
        listen $METADATA_ADDR:80;
        location /v4/ {
            root /srv;
            default_type application/json;
            try_files \$uri \$uri/container =404;
        }
    }
}
EOF
  local task
  task=$(jq -n --arg taskid "$taskid" --arg id "$ID" --arg started "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" \
    --arg app "$(docker_id app)" --arg web "$(docker_id web)" --arg monitor "$(docker_id monitor)" '
    def c($name; $dockerId; $image): {DockerId: $dockerId, Name: $name, DockerName: "ecs-taskscope-demo-1-\($name)",
      Image: $image, ImageID: "", Labels: {"com.amazonaws.ecs.container-name": $name,
        "com.amazonaws.ecs.task-definition-family": "taskscope-demo", "com.amazonaws.ecs.task-definition-version": "1"},
      DesiredStatus: "RUNNING", KnownStatus: "RUNNING", CreatedAt: $started, StartedAt: $started, Type: "NORMAL",
      Networks: [{NetworkMode: "awsvpc", IPv4Addresses: ["127.0.0.1"]}]};
    {Cluster: "taskscope-lab", TaskARN: "arn:aws:ecs:lab:000000000000:task/taskscope-lab/\($taskid)",
     Family: "taskscope-demo", Revision: "1", DesiredStatus: "RUNNING", KnownStatus: "RUNNING",
     Limits: {CPU: 0.5, Memory: 1024}, PullStartedAt: $started, PullStoppedAt: $started,
     AvailabilityZone: "lab-\($id)", LaunchType: "FARGATE",
     Containers: [c("app"; $app; "taskscope-app (lab: Debian php-fpm8.2)"),
                  c("web"; $web; "taskscope-web (lab: Debian nginx)"),
                  c("monitor"; $monitor; "taskscope-monitor (lab: host JRE)")]}')
  for c in "${TASK_CONTAINERS[@]}"; do
    mkdir -p "$r/srv/v4/$(docker_id "$c")"
    printf '%s\n' "$task" >"$r/srv/v4/$(docker_id "$c")/task"
    jq --arg n "$c" '.Containers[] | select(.Name == $n)' <<<"$task" >"$r/srv/v4/$(docker_id "$c")/container"
  done
  # Fargate routes 169.254.170.2 to its agent; here it is an address of the task's loopback interface.
  nsenter --net="/proc/$(cat "$STATE/pause.pid")/ns/net" ip addr add "$METADATA_ADDR/32" dev lo
  write_config metadata 0 0 docker /
}

# The variables ECS sets in every container of a Fargate task.
ecs_env() { echo "ECS_CONTAINER_METADATA_URI_V4=http://$METADATA_ADDR/v4/$(docker_id "$1")" AWS_EXECUTION_ENV=AWS_ECS_FARGATE; }

bundle_app() {
  local r=$STATE/app/rootfs
  MOUNTS=(); ARGS=(php-fpm8.2 --nodaemonize --fpm-config /etc/php/8.2/fpm/php-fpm.conf)
  ENVS=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOSTNAME="$ID" HOME=/root
    PHP_INI_DIR=/etc/php/8.2/fpm DB_PASSWORD=lab-demo-not-a-real-secret $(ecs_env app))
  base_rootfs "$r"
  write_etc "$r" www-data:82:/home/www-data
  mkdir -p "$r/etc/php/8.2/fpm/pool.d" "$r/var/www/html" "$r/home/www-data"
  cp "$LAB_DIR/php-fpm.conf" "$r/etc/php/8.2/fpm/php-fpm.conf"
  cp "$LAB_DIR/www.conf" "$r/etc/php/8.2/fpm/pool.d/www.conf"
  : >"$r/etc/php/8.2/fpm/pool.d/zz-taskscope.conf"
  bind_ro "$IMAGES/app/zz-taskscope.conf" /etc/php/8.2/fpm/pool.d/zz-taskscope.conf
  # As in the php image: the document root is www-data's and world-writable with the sticky bit.
  chown 82:82 "$r/var/www/html" "$r/home/www-data"
  chmod 1777 "$r/var/www/html"
  : >"$r/var/www/html/test.php"
  bind_ro "$IMAGES/app/test.php" /var/www/html/test.php
  write_config app 0 0 docker /var/www/html
}

bundle_web() {
  local r=$STATE/web/rootfs
  MOUNTS=(); ARGS=(nginx -g "daemon off;")
  ENVS=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOSTNAME="$ID" $(ecs_env web))
  base_rootfs "$r"
  write_etc "$r" nginx:101:/nonexistent
  mkdir -p "$r/etc/nginx/conf.d" "$r/var/log/nginx" "$r/var/cache/nginx"
  cp "$LAB_DIR/nginx.conf" "$r/etc/nginx/nginx.conf"
  cp /etc/nginx/mime.types /etc/nginx/fastcgi_params "$r/etc/nginx/"
  : >"$r/etc/nginx/conf.d/default.conf"
  bind_ro "$IMAGES/web/default.conf" /etc/nginx/conf.d/default.conf
  # nginx-unprivileged's logs are the container's stdout and stderr.
  ln -s /dev/stdout "$r/var/log/nginx/access.log"
  ln -s /dev/stderr "$r/var/log/nginx/error.log"
  chown 101:101 "$r/var/cache/nginx"
  write_config web 101 101 docker-user /
}

bundle_monitor() {
  local r=$STATE/monitor/rootfs java java_home d
  MOUNTS=()
  base_rootfs "$r"
  write_etc "$r"
  java=$(readlink -f "$(command -v java)")
  java_home=$(dirname "$(dirname "$java")")
  case "$java_home" in
    /usr/*) ;;
    *) mkdir -p "$r$java_home"; bind_ro "$java_home" "$java_home" ;;
  esac
  # Debian's JDKs keep their configuration in /etc/java-<version>-openjdk, linked from $JAVA_HOME/conf.
  for d in /etc/java-*; do
    [ -d "$d" ] || continue
    mkdir -p "$r$d"
    bind_ro "$d" "$d"
  done
  # The checkout's launcher (./taskscope: the newest JDK, a class-data archive made on first use in
  # ~/.cache) finds the jar at cli/target/ next to it: the same layout, read-only.
  mkdir -p "$r/opt/taskscope/cli/target"
  : >"$r/opt/taskscope/cli/target/taskscope.jar"
  bind_ro "$JAR" /opt/taskscope/cli/target/taskscope.jar
  : >"$r/opt/taskscope/taskscope"
  bind_ro "$REPO/taskscope" /opt/taskscope/taskscope
  # Its archive outlives the lab (the launcher keys it by jar and JVM): trained once per build, not per up.
  mkdir -p "$STATE_ROOT/.monitor-cache" "$r/root/.cache/taskscope"
  bind_rw "$STATE_ROOT/.monitor-cache" /root/.cache/taskscope
  read -ra ARGS <<<"$MONITOR_CMD"
  ENVS=(PATH=/opt/taskscope:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOSTNAME="$ID"
    HOME=/root JAVA_HOME="$java_home" $(ecs_env monitor))
  # runc's default capabilities plus CAP_SYS_PTRACE, nothing else: the monitor of task-definition.json.
  write_config monitor 0 0 runc+ptrace /root
}

# ---------------------------------------------------------------------------------------------- up

# Each container runs under its own foreground `runc run`, in a session of its own: like a containerd shim,
# that runc stays the parent of the container's first process, reaps it the moment it exits and then
# removes the container. (`runc run --detach` would hand that process to the host's init, which on this kind
# of VM reaps late and keeps the task's PID namespace alive for seconds after `down`.)
start() {
  local name=$1 log=$STATE/logs/$1.log i
  CURRENT=$name
  : >"$log"
  # nginx runs as uid 101 and reopens /dev/stdout and /dev/stderr by path: the log must be its own.
  case "$name" in web) chown 101:101 "$log" ;; esac
  setsid runc run --bundle "$STATE/$name" "$(rid "$name")" </dev/null >>"$log" 2>&1 9>&- &
  for i in $(seq 200); do
    case "$(cstatus "$name")" in
      running) cpid "$name" >"$STATE/$name.pid"; return 0 ;;
      stopped) fail "$name" "its first process exited at once" ;;
    esac
    kill -0 $! 2>/dev/null || fail "$name" "runc could not start it"
    sleep 0.025
  done
  fail "$name" "runc did not start it within 5 s"
}

fail() {
  local name=$1 why=$2
  trap - ERR
  say "container '$name' failed: $why; its log ($STATE/logs/$name.log) ends with:"
  tail -n 15 "$STATE/logs/$name.log" 2>/dev/null | sed 's/^/    /' >&2 || true
  if [ "${TSLAB_KEEP_ON_FAILURE:-0}" = 1 ]; then
    say "left up for inspection (TSLAB_KEEP_ON_FAILURE=1); lab.sh down removes it"
  else
    do_down >/dev/null 2>&1 || true
  fi
  exit 1
}

# Whether something listens on TCP port $2 in the network namespace of host PID $1.
listening() {
  local hex
  hex=$(printf ':%04X' "$2")
  awk -v p="$hex" 'NR > 1 && substr($2, length($2) - 4) == p && $4 == "0A" { found = 1 } END { exit !found }' \
    "/proc/$1/net/tcp" 2>/dev/null
}

netns_curl() { nsenter --net="/proc/$(cat "$STATE/pause.pid")/ns/net" curl -sS --max-time 5 "$@"; }

# Polls `check` every 50 ms until it succeeds, the container stops, or READY_TIMEOUT passes.
wait_ready() {
  local name=$1 what=$2 deadline
  shift 2
  deadline=$(($(now_ms) + READY_TIMEOUT * 1000))
  until "$@" >/dev/null 2>&1; do
    [ "$(cstatus "$name")" = running ] || fail "$name" "it exited while starting ($what)"
    [ "$(now_ms)" -lt "$deadline" ] || fail "$name" "not ready after ${READY_TIMEOUT}s ($what)"
    sleep 0.05
  done
}

monitor_ready() {
  runc exec "$(rid monitor)" sh -c 'test -r /opt/taskscope/cli/target/taskscope.jar && command -v taskscope && "$JAVA_HOME/bin/java" -version'
}

do_up() {
  local t0 c
  t0=$(now_ms)
  check_id
  require_root
  require_commands
  trap 'fail "${CURRENT:-lab}" "unexpected error at lab.sh line $LINENO"' ERR
  [ -r "$JAR" ] || die "no taskscope jar at $JAR; build it: (cd $REPO && mvn -B -q -ntp -DskipTests package)"
  with_lock
  if [ -n "$(lab_containers)" ]; then
    die "lab '$ID' is already up ($(lab_containers | tr '\n' ' ')); run 'lab.sh down' first, or set TSLAB_ID"
  fi
  clean_state
  mkdir -p "$STATE/logs"
  tr -d '-' </proc/sys/kernel/random/uuid >"$STATE/task-id"
  local taskid
  taskid=$(cat "$STATE/task-id")
  for c in "${CONTAINERS[@]}"; do echo "$c $taskid-$(((RANDOM << 15 | RANDOM) + 1000000000))"; done >"$STATE/ids"
  bundle_pause
  start pause
  local p
  p=$(cat "$STATE/pause.pid")
  bundle_metadata
  start metadata
  for c in app web; do "bundle_$c"; start "$c"; done
  wait_ready app "php-fpm listening on 127.0.0.1:9000" listening "$p" 9000
  wait_ready web "nginx answering /healthz on 127.0.0.1:8080" netns_curl -f http://127.0.0.1:8080/healthz
  wait_ready app "/test.php served through nginx" netns_curl -f http://127.0.0.1:8080/test.php
  wait_ready metadata "task metadata at $METADATA_ADDR" netns_curl -f "http://$METADATA_ADDR/v4/$(docker_id monitor)/task"
  # The monitor starts last (dependsOn HEALTHY), so that ECS Exec lands in it.
  bundle_monitor
  start monitor
  wait_ready monitor "taskscope and its JRE present" monitor_ready
  say "lab '$ID' is up in $(($(now_ms) - t0)) ms: pause PID $p; try: $0 exec monitor taskscope ps"
}

# ---------------------------------------------------------------------------------------------- down

# Removes the bundles and root filesystems, keeping logs/ for a post-mortem. Refuses if anything is still
# mounted below the state directory (a container is still running): rm -rf must never cross a mount.
clean_state() {
  [ -d "$STATE" ] || return 0
  if awk -v s="$STATE/" 'index($5, s) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    die "something is still mounted under $STATE; run 'lab.sh down' (or umount it) first"
  fi
  find "$STATE" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
}

do_down() {
  local t0 c id taskid=""
  t0=$(now_ms)
  check_id
  require_root
  with_lock
  [ -f "$STATE/task-id" ] && taskid=$(cat "$STATE/task-id")
  # The pause container first: when PID 1 of the task's namespace exits, the kernel kills every other
  # process in it, and the other containers are then stopped and delete fast. (Deleting them first leaves
  # their killed processes holding their cgroups until reaped, and runc retries its rmdirs for seconds.)
  # Killing PID 1 of the task's PID namespace (pause) makes the kernel kill every other process in it; each
  # container's runc then reaps its process and removes the container.
  local p i
  p=$(cpid pause)
  if [ "$(cstatus pause)" = running ] && [ "$p" -gt 0 ]; then
    runc kill "$(rid pause)" KILL 2>/dev/null || true
    runc kill "$(rid metadata)" KILL 2>/dev/null || true
    for i in $(seq 250); do
      [ -n "$(lab_containers)" ] || break
      sleep 0.02
    done
  fi
  # Whatever is left (runc killed, an interrupted up): the forceful way.
  for c in monitor web app metadata pause; do
    id=$(rid "$c")
    if runc state "$id" >/dev/null 2>&1; then
      runc delete --force "$id" >/dev/null 2>&1 || runc delete --force "$id" || say "runc delete $id failed"
    fi
  done
  # Anything else of this lab (an interrupted up, a renamed container).
  for id in $(lab_containers); do runc delete --force "$id" >/dev/null 2>&1 || say "runc delete $id failed"; done
  [ -z "$(lab_containers)" ] || die "runc containers left: $(lab_containers | tr '\n' ' '); remove them with 'runc delete --force ID'"
  # runc removes each container's cgroup; the task's parent cgroups are ours to remove.
  if [ -n "$taskid" ]; then
    find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -path "*/ecs/$taskid" 2>/dev/null |
      while read -r d; do rmdir "$d" 2>/dev/null || true; rmdir "$(dirname "$d")" 2>/dev/null || true; done
  fi
  clean_state
  say "lab '$ID' is down in $(($(now_ms) - t0)) ms"
}

# ---------------------------------------------------------------------------------------------- status

do_status() {
  local json=0 c rows=() all=1
  [ "${1:-}" = --json ] && json=1
  check_id
  for c in "${CONTAINERS[@]}"; do
    local s p
    s=$(cstatus "$c"); p=0
    [ "$s" = absent ] || p=$(cpid "$c")
    [ "$s" = running ] || all=0
    rows+=("$(jq -cn --arg n "$c" --arg id "$(rid "$c")" --arg s "$s" --argjson p "$p" '{name:$n, id:$id, status:$s, pid:$p}')")
  done
  if [ $json = 1 ]; then
    printf '%s\n' "${rows[@]}" | jq -s --arg id "$ID" --arg state "$STATE" '{lab:$id, state:$state, containers:.}'
  else
    echo "lab '$ID' (state $STATE)"
    printf '%s\n' "${rows[@]}" | jq -r '[.name, .id, .status, (if .pid > 0 then .pid else "-" end)] | @tsv' |
      awk 'BEGIN { printf "%-9s %-28s %-9s %s\n", "CONTAINER", "RUNC ID", "STATUS", "HOST PID" }
           { printf "%-9s %-28s %-9s %s\n", $1, $2, $3, $4 }'
  fi
  [ $all = 1 ]
}

# ---------------------------------------------------------------------------------------------- main

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  up) do_up ;;
  down) do_down ;;
  status) do_status "$@" ;;
  exec)
    [ $# -ge 2 ] || usage_error "usage: lab.sh exec CONTAINER CMD... (containers: ${CONTAINERS[*]})"
    container_known "$1" || usage_error "no container '$1' in the lab; choose one of: ${CONTAINERS[*]}"
    [ "$(cstatus "$1")" = running ] || die "container '$1' is not running; run 'lab.sh up' first"
    c=$1; shift
    tty=()
    if [ -t 0 ] && [ -t 1 ]; then tty=(--tty); fi
    exec runc exec "${tty[@]}" "$(rid "$c")" "$@"
    ;;
  curl)
    [ $# -ge 1 ] || usage_error "usage: lab.sh curl PATH [CURL_ARGS...], e.g. lab.sh curl /test.php"
    [ "$(cstatus pause)" = running ] || die "the lab is not up; run 'lab.sh up' first"
    path=${1#/}; shift
    exec nsenter --net="/proc/$(cpid pause)/ns/net" curl -sS --max-time 10 "$@" "http://127.0.0.1:8080/$path"
    ;;
  logs)
    [ $# -eq 1 ] && container_known "$1" || usage_error "usage: lab.sh logs CONTAINER (one of: ${CONTAINERS[*]})"
    cat "$STATE/logs/$1.log" 2>/dev/null || die "no log for '$1' in $STATE/logs; has the lab been up?"
    ;;
  -h | --help | help) usage ;;
  "") usage >&2; exit 2 ;;
  *) say "unknown command '$cmd'"; usage >&2; exit 2 ;;
esac
