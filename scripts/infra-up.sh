#!/usr/bin/env bash
# Make sure the servers siteops needs answer at the URLs it is configured with:
# PostgreSQL (DATABASE_URL), Redis (REDIS_URL), NATS with JetStream (NATS_URL),
# and on request Docker Engine and nginx. A server that answers is left alone,
# so running this twice is a no-op. What it does on which machine, and how to
# use servers of your own: docs/infrastructure.md.
#
# Quiet on success apart from one line per service; on failure it says what to
# do. Command output (apt, dockerd, pg_ctlcluster) goes to
# ${SITEOPS_DATA_DIR:-.siteops}/logs/.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'rc=$?; warn "unexpected failure (exit $rc) at line $LINENO: $BASH_COMMAND"' ERR

usage() {
  cat <<'EOF'
usage: scripts/infra-up.sh [--with-docker] [--with-nginx]

Checks PostgreSQL (DATABASE_URL), Redis (REDIS_URL) and NATS with JetStream
(NATS_URL); starts, and if need be installs, the ones that run on this machine
and do not answer.
  --with-docker  also make sure a Docker Engine answers (installs docker.io and
                 busybox-static, starts dockerd in the background)
  --with-nginx   also make sure nginx is installed (it is not started)
Env: SITEOPS_INFRA_TIMEOUT  seconds to wait for a server to get ready (60)
EOF
}

WITH_DOCKER=0
WITH_NGINX=0
for arg in "$@"; do
  case $arg in
    --with-docker) WITH_DOCKER=1 ;;
    --with-nginx) WITH_NGINX=1 ;;
    -h | --help) usage && exit 0 ;;
    *) usage >&2 && exit 2 ;;
  esac
done

# Defaults: SPEC §9.
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/siteops}"
NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
TIMEOUT="${SITEOPS_INFRA_TIMEOUT:-60}"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "SITEOPS_INFRA_TIMEOUT must be a whole number of seconds"

mkdir -p "$SITEOPS_LOG_DIR"
LOG="$SITEOPS_LOG_DIR/infra-up.log" # this run's only
: >"$LOG"

# ---------------------------------------------------------------- helpers

# parse_url NAME URL DEFAULT_PORT: split URL into the U_* variables. Messages
# name the variable, never its value: URLs may carry passwords.
parse_url() {
  local name=$1 url=$2 re
  [[ $url == *://* ]] || url="none://$url"
  re='^([A-Za-z][A-Za-z0-9+.-]*)://(([^:@/?#]*)(:([^@]*))?@)?(\[[^]/?#]*\]|[^]:[/?#]*)(:([0-9]*))?(/[^?#]*)?(\?[^#]*)?(#.*)?$'
  [[ $url =~ $re ]] || die "$name is not a URL of the form scheme://[user[:password]@]host[:port][/path]"
  U_SCHEME=${BASH_REMATCH[1]}
  U_USER=$(urldecode "${BASH_REMATCH[3]}")
  U_PASS=$(urldecode "${BASH_REMATCH[5]}")
  U_HOST=${BASH_REMATCH[6]}
  U_PORT=${BASH_REMATCH[8]:-$3}
  U_PATH=${BASH_REMATCH[9]}
  U_QUERY=${BASH_REMATCH[10]}
  # The URL without its password, still encoded, for tools that take a URL.
  U_NOPASS="$U_SCHEME://${BASH_REMATCH[3]:+${BASH_REMATCH[3]}@}$U_HOST${BASH_REMATCH[7]}"
  U_HOST=${U_HOST#\[}
  U_HOST=${U_HOST%\]}
}

urldecode() {
  local s=${1//\\/\\\\}
  printf '%b' "${s//%/\\x}"
}

# local_addr HOST: print the loopback address HOST stands for, or fail when
# HOST is not this machine. Only loopback counts: a server this script starts
# listens there and nowhere else. Empty host or a directory is libpq's socket.
local_addr() {
  local host=$1 addr
  case $host in
    "" | /*) echo 127.0.0.1 && return 0 ;;
  esac
  addr=$({ getent ahostsv4 "$host" || getent ahosts "$host"; } 2>/dev/null | awk '{ print $1; exit }') || true
  [[ $addr =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+$ || $addr == ::1 ]] || return 1
  echo "$addr"
}

# shellcheck disable=SC2016 # $1 $2 belong to the inner bash
tcp_open() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

# wait_for SECONDS CHECK...: retry CHECK twice a second until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

need_root() { # need_root WHAT HOW
  ((EUID == 0)) || die "$1 needs root. Run: sudo -E $0 ${ARGS[*]}   (or do it yourself: $2)"
}

log_tail() { # log_tail FILE: show why a server did not come up
  [[ -r $1 ]] || return 0
  warn "last lines of $1:"
  tail -n 15 "$1" | sed 's/^/    /' >&2
}

# A policy-rc.d that forbids starting services while apt installs packages:
# infra-up starts what it needs itself, with known options, and must never
# start the system nginx on port 80. Ours is removed on exit.
OUR_POLICY_RC_D=""
cleanup() { [[ -z $OUR_POLICY_RC_D ]] || rm -f "$OUR_POLICY_RC_D"; }
trap cleanup EXIT

APT_UPDATED=0
apt_install() { # apt_install PACKAGE...
  need_root "installing $*" "apt-get install -y $*"
  command -v apt-get >/dev/null || die "$* missing and this is not a Debian/Ubuntu machine: install $* yourself"
  local apt_log="$SITEOPS_LOG_DIR/apt.log"
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    OUR_POLICY_RC_D=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\n# temporary, from siteops scripts/infra-up.sh\nexit 101\n' >"$OUR_POLICY_RC_D"
    chmod +x "$OUR_POLICY_RC_D"
  fi
  if ((!APT_UPDATED)); then
    apt-get -o DPkg::Lock::Timeout=300 update >>"$apt_log" 2>&1 ||
      { log_tail "$apt_log" && die "apt-get update failed (log: $apt_log)"; }
    APT_UPDATED=1
  fi
  # NEEDRESTART_*: never restart running services (other people's Postgres).
  DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 NEEDRESTART_MODE=l \
    apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "$@" >>"$apt_log" 2>&1 ||
    { log_tail "$apt_log" && die "apt-get install $* failed (log: $apt_log)"; }
  cleanup
  OUR_POLICY_RC_D=""
}

# Tools the checks use; installed (client packages only) when missing.
# (Functions that change things are called outside ||/&&, where set -e holds.)
need_tool() { # need_tool COMMAND PACKAGE
  if ! command -v "$1" >/dev/null; then apt_install "$2"; fi
}

# docker-compose.yml is the alternative for machines with Docker and the
# images but without the Debian packages.
compose() {
  if docker compose version >/dev/null 2>&1; then
    docker compose -p siteops -f "$SITEOPS_ROOT/docker-compose.yml" "$@"
  else
    docker-compose -p siteops -f "$SITEOPS_ROOT/docker-compose.yml" "$@"
  fi
}

compose_can_run() { # compose_can_run IMAGE
  command -v docker >/dev/null &&
    docker info >/dev/null 2>&1 &&
    { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null; } &&
    docker image inspect "$1" >/dev/null 2>&1
}

compose_up() { # compose_up SERVICE PORT_VARIABLE PORT
  (export "$2=$3" && compose up -d "$1") >>"$LOG" 2>&1 ||
    { log_tail "$LOG" && die "docker compose up -d $1 failed (log: $LOG)"; }
}

compose_timeout() { # compose_timeout SERVICE WHAT
  warn "$2: the $1 container started but did not get ready within ${TIMEOUT}s; stopping it."
  compose logs --tail 15 "$1" >&2 || true
  compose stop "$1" >/dev/null 2>&1 || true
  exit 1
}

not_here() { # not_here WHAT VAR ADDRESS EXAMPLE
  die "$1 does not answer at $3 ($2), and that is not this machine, so infra-up cannot start it.
    Start that server, or point $2 at one that runs, e.g.: export $2=$4"
}

# ---------------------------------------------------------------- Docker

# A dockerd that died stays listed as a zombie where nobody reaps orphans.
dockerd_running() { pgrep -x -r R,S,D,T,I dockerd >/dev/null; }

ensure_docker() {
  local err
  if err=$(docker info 2>&1 >/dev/null); then
    say "docker   ready, engine $(docker info --format '{{.ServerVersion}}') (already running)"
    return
  fi
  if [[ $err == *"permission denied"* ]]; then
    die "docker: the engine runs but user $(id -un) cannot use its socket.
    Add yourself to the docker group (sudo usermod -aG docker $(id -un), then log in again), or run as root."
  fi
  case ${DOCKER_HOST:-unix:///var/run/docker.sock} in
    unix:///var/run/docker.sock | unix:///run/docker.sock) ;;
    *) die "docker: the engine at DOCKER_HOST does not answer; start it, or unset DOCKER_HOST to use a local one" ;;
  esac
  need_root "starting Docker Engine" "apt-get install -y docker.io busybox-static && dockerd &"
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  [[ -x /bin/busybox ]] || missing+=(busybox-static)
  if ((${#missing[@]})); then apt_install "${missing[@]}"; fi
  command -v docker >/dev/null || die "docker: no docker client on PATH after installing docker.io"

  local dlog="$SITEOPS_LOG_DIR/dockerd.log" pid=""
  if ! dockerd_running; then
    # A pid file left by a dockerd that died stops a new one from starting.
    rm -f /var/run/docker.pid
    [[ ! -f $dlog ]] || mv "$dlog" "$dlog.1"
    setsid nohup dockerd >"$dlog" 2>&1 </dev/null &
    pid=$!
  fi
  if ! wait_for "$TIMEOUT" docker info >/dev/null 2>&1; then
    log_tail "$dlog"
    if [[ -n $pid ]]; then
      kill "$pid" 2>/dev/null || true
      die "docker: dockerd did not answer within ${TIMEOUT}s and was stopped again (log: $dlog)"
    fi
    die "docker: a dockerd process runs but does not answer 'docker info' within ${TIMEOUT}s (log: $dlog)"
  fi
  say "docker   ready, engine $(docker info --format '{{.ServerVersion}}') (started dockerd, log $dlog)"
}

# ---------------------------------------------------------------- nginx

ensure_nginx() {
  local how="already installed"
  if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
    apt_install nginx
    how="installed from apt, not started"
  fi
  local bin
  bin=$(command -v nginx || echo /usr/sbin/nginx)
  say "nginx    $("$bin" -v 2>&1 | sed 's/^nginx version: //') at $bin ($how)"
}

# ---------------------------------------------------------------- PostgreSQL

PG_FRESH=0 # 1 when this run installed PostgreSQL or created its cluster

pg_isready_rc() {
  local rc=0
  # stderr hidden: libpq's parse errors quote the whole URL.
  pg_isready -q -t 3 -d "$PG_URL" 2>/dev/null || rc=$?
  return "$rc"
}

# pg_connect_error: print why a connection as the URL's user fails, or
# succeed quietly. A database that does not exist yet is fine: the apps
# create it, so then connecting to the maintenance database must work.
pg_connect_error() {
  local err env=()
  [[ -z $PG_PASS ]] || env+=("PGPASSWORD=$PG_PASS")
  err=$(env "${env[@]}" PGCONNECT_TIMEOUT=5 psql -X -w -q -A -t -d "$PG_URL" -c 'select 1' 2>&1 >/dev/null) && return 0
  if [[ $err == *"database \""*"\" does not exist"* ]]; then
    err=$(env "${env[@]}" PGCONNECT_TIMEOUT=5 psql -X -w -q -A -t -d "$PG_ADMIN_URL" -c 'select 1' 2>&1 >/dev/null) && return 0
  fi
  printf '%s\n' "$err"
  return 1
}

# The local cluster on the URL's port: sets PG_VER PG_NAME PG_OWNER PG_STATUS.
pg_find_cluster() {
  PG_VER="" PG_NAME="" PG_OWNER="" PG_STATUS=""
  command -v pg_lsclusters >/dev/null || return 1
  read -r PG_VER PG_NAME PG_OWNER PG_STATUS < <(
    pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p { print $1, $2, $5, $4; exit }'
  ) || true
  [[ -n $PG_VER ]]
}

pg_packaged() { command -v pg_ctlcluster >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; }

pg_start_cluster() {
  if ! pg_find_cluster; then
    local others
    others=$(pg_lsclusters -h 2>/dev/null | awk '{ printf "%s%s/%s on port %s", sep, $1, $2, $3; sep = ", " }')
    local ver
    ver=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -n 1)
    [[ -z $others ]] || die "postgres: nothing answers at $PG_WHERE and no local cluster uses port $PG_PORT (clusters here: $others).
    Point DATABASE_URL at one of those ports, or create a cluster: pg_createcluster --start $ver siteops -p $PG_PORT"
    need_root "creating a PostgreSQL cluster" "pg_createcluster $ver main -p $PG_PORT"
    pg_createcluster "$ver" main -p "$PG_PORT" >>"$LOG" 2>&1 ||
      { log_tail "$LOG" && die "postgres: pg_createcluster $ver main failed (log: $LOG)"; }
    PG_FRESH=1
    pg_find_cluster || die "postgres: created cluster $ver/main but pg_lsclusters does not list it on port $PG_PORT"
  fi
  if [[ $PG_STATUS == online* ]]; then
    die "postgres: cluster $PG_VER/$PG_NAME runs on port $PG_PORT but does not answer at $PG_WHERE.
    Check listen_addresses in /etc/postgresql/$PG_VER/$PG_NAME/postgresql.conf, or point DATABASE_URL at 127.0.0.1"
  fi
  need_root "starting PostgreSQL" "pg_ctlcluster $PG_VER $PG_NAME start"
  local pglog="/var/log/postgresql/postgresql-$PG_VER-$PG_NAME.log"
  # Waits for startup itself; on failure the reason is in the server log.
  pg_ctlcluster --skip-systemctl-redirect "$PG_VER" "$PG_NAME" start >>"$LOG" 2>&1 ||
    { log_tail "$pglog" && die "postgres: pg_ctlcluster $PG_VER $PG_NAME start failed (log: $pglog)"; }
  if ! wait_for "$TIMEOUT" pg_isready_rc; then
    # Not stopped on purpose: a server replaying a long WAL is slow, not broken.
    log_tail "$pglog"
    die "postgres: cluster $PG_VER/$PG_NAME was started but does not accept connections at $PG_WHERE after ${TIMEOUT}s.
    It is still running. Watch $pglog, or stop it: pg_ctlcluster $PG_VER $PG_NAME stop"
  fi
  PG_HOW="started cluster $PG_VER/$PG_NAME"
}

pg_start() {
  local_addr "$PG_HOST" >/dev/null ||
    not_here PostgreSQL DATABASE_URL "$PG_WHERE" "postgres://postgres@127.0.0.1:5432/siteops"
  if pg_packaged; then
    pg_start_cluster
  elif compose_can_run postgres:15; then
    compose_up postgres SITEOPS_POSTGRES_PORT "$PG_PORT"
    wait_for "$TIMEOUT" pg_isready_rc || compose_timeout postgres postgres
    PG_HOW="started docker compose service postgres"
  else
    apt_install postgresql
    PG_FRESH=1
    pg_start_cluster
    PG_HOW="installed postgresql and $PG_HOW"
  fi
}

# pg_admin_psql: psql as the superuser of the local server (SQL on stdin),
# through the cluster owner's socket or inside the compose container.
pg_admin_psql() {
  if pg_find_cluster && [[ $PG_STATUS == online* ]]; then
    (cd / && runuser -u "$PG_OWNER" -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@")
  else
    compose exec -T -e SITEOPS_PG_PASSWORD postgres psql -X -q -v ON_ERROR_STOP=1 -U postgres -d postgres "$@"
  fi
}

pg_can_admin() {
  local_addr "$PG_HOST" >/dev/null && ((EUID == 0)) || return 1
  { pg_find_cluster && [[ $PG_STATUS == online* ]]; } ||
    { compose_can_run postgres:15 && [[ -n $(compose ps -q postgres 2>/dev/null) ]]; }
}

# Connecting as the URL's user must work. On a local server we administer, a
# missing role is created (LOGIN CREATEDB: the apps create their databases)
# with the URL's password. Existing roles are left alone, except on a cluster
# this run created: there the URL's password is set, or, when the URL has
# none, that user is trusted on loopback (Debian's default asks a password).
pg_ensure_role() {
  local err out setpw=0
  err=$(pg_connect_error) && return 0
  pg_can_admin || pg_role_failed "$err"
  if ((PG_FRESH)); then setpw=1; fi
  out=$(
    SITEOPS_PG_PASSWORD=$PG_PASS pg_admin_psql -t -A -v role="$PG_USER" -v setpw="$setpw" 2>>"$LOG" <<'SQL'
\getenv pw SITEOPS_PG_PASSWORD
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') AS missing \gset
\if :missing
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'role') \gexec
\set setpw 1
\echo created
\endif
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'pw') WHERE :'pw' <> '' AND :'setpw' = '1' \gexec
SQL
  ) || { log_tail "$LOG" && die "postgres: could not create or update role \"$PG_USER\" (log: $LOG)"; }
  [[ $out != *created* ]] || PG_HOW+=", created role $PG_USER"
  err=$(pg_connect_error) && return 0
  if ((PG_FRESH)) && [[ -z $PG_PASS && -n $PG_VER && $err =~ password|pg_hba.conf ]]; then
    local hba="/etc/postgresql/$PG_VER/$PG_NAME/pg_hba.conf"
    sed -i "1i # siteops scripts/infra-up.sh: DATABASE_URL has no password for this user\\
host all \"$PG_USER\" 127.0.0.1/32 trust\\
host all \"$PG_USER\" ::1/128 trust" "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$PG_VER" "$PG_NAME" reload >>"$LOG" 2>&1
    PG_HOW+=", trusted $PG_USER on loopback"
    err=$(pg_connect_error) && return 0
  fi
  pg_role_failed "$err"
}

pg_role_failed() { # pg_role_failed LIBPQ_ERROR
  local err=${1##*failed: } advice
  case $err in
    *"role \"$PG_USER\" does not exist"*)
      advice="Create it on that server: CREATE ROLE \"$PG_USER\" LOGIN CREATEDB PASSWORD '...'; or use another user in DATABASE_URL." ;;
    *password* | *pg_hba.conf*)
      advice="Put the password in DATABASE_URL (postgres://$PG_USER:PASSWORD@host:port/db), or let that user in without one
    in the server's pg_hba.conf (host all $PG_USER 127.0.0.1/32 trust), then reload the server." ;;
    *) advice="Fix DATABASE_URL or the server." ;;
  esac
  die "postgres at $PG_WHERE ($PG_HOW): cannot connect as \"$PG_USER\": $err
    $advice"
}

ensure_postgres() {
  parse_url DATABASE_URL "$DATABASE_URL" 5432
  [[ $U_SCHEME == postgres || $U_SCHEME == postgresql ]] || die "DATABASE_URL must start with postgres:// or postgresql://"
  PG_HOST=$U_HOST PG_PORT=$U_PORT PG_PASS=$U_PASS
  PG_USER=${U_USER:-$(id -un)}
  PG_URL="$U_NOPASS$U_PATH$U_QUERY"
  PG_ADMIN_URL="$U_NOPASS/postgres$U_QUERY"
  PG_WHERE="${PG_HOST:-local socket}:$PG_PORT"
  PG_HOW="already running"

  need_tool pg_isready postgresql-client
  local rc=0
  pg_isready_rc || rc=$?
  case $rc in
    0) ;;
    1) # starting up or shutting down
      wait_for "$TIMEOUT" pg_isready_rc ||
        die "postgres at $PG_WHERE rejects connections (starting or shutting down) for ${TIMEOUT}s; check its log"
      PG_HOW="was starting" ;;
    2) pg_start ;;
    *) die "DATABASE_URL: libpq cannot parse it (pg_isready exit $rc)" ;;
  esac
  pg_ensure_role
  say "postgres $PG_WHERE ready, user $PG_USER ($PG_HOW)"
}

# ---------------------------------------------------------------- Redis

redis_ping() { # prints the server's answer to PING
  local args=(-h "$R_HOST" -p "$R_PORT" --no-auth-warning) env=()
  [[ -z $R_USER ]] || args+=(--user "$R_USER")
  [[ $R_SCHEME != rediss ]] || args+=(--tls)
  [[ -z $R_PASS ]] || env+=("REDISCLI_AUTH=$R_PASS")
  env "${env[@]}" timeout 5 redis-cli "${args[@]}" ping 2>&1 || true
}
redis_ready() { [[ $(redis_ping) == *PONG* ]]; }

redis_start_pkg() {
  need_root "starting Redis" "redis-server --daemonize yes --port $R_PORT ..."
  local pidfile="/run/siteops-redis-$R_PORT.pid" rlog=/var/log/redis/ci.log
  [[ $R_PORT == 6379 ]] || rlog="/var/log/redis/ci-$R_PORT.log"
  local bind=(127.0.0.1 -::1)
  [[ $R_ADDR == 127.0.0.1 || $R_ADDR == ::1 ]] || bind+=("$R_ADDR")
  mkdir -p /var/lib/redis /var/log/redis
  # The machine's own command (nothing kept on disk), plus a pid file.
  redis-server --daemonize yes --bind "${bind[@]}" --port "$R_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile "$rlog" --pidfile "$pidfile" >>"$LOG" 2>&1 ||
    { log_tail "$rlog" && die "redis: redis-server did not start (log: $rlog)"; }
  if ! wait_for "$TIMEOUT" redis_ready; then
    log_tail "$rlog"
    if [[ -f $pidfile ]]; then
      kill "$(cat "$pidfile")" 2>/dev/null || true
      rm -f "$pidfile"
    fi
    die "redis: redis-server did not answer PING at $R_WHERE within ${TIMEOUT}s and was stopped again (log: $rlog)"
  fi
}

ensure_redis() {
  parse_url REDIS_URL "$REDIS_URL" 6379
  [[ $U_SCHEME == redis || $U_SCHEME == rediss ]] || die "REDIS_URL must start with redis:// or rediss://"
  R_SCHEME=$U_SCHEME R_HOST=${U_HOST:-127.0.0.1} R_PORT=$U_PORT R_USER=$U_USER R_PASS=$U_PASS
  R_WHERE="$R_HOST:$R_PORT"
  local how="already running" answer
  need_tool redis-cli redis-tools
  answer=$(redis_ping)
  if [[ $answer == *PONG* ]]; then
    :
  elif [[ $answer == *LOADING* ]]; then
    wait_for "$TIMEOUT" redis_ready || die "redis at $R_WHERE is still loading its data after ${TIMEOUT}s"
    how="was loading"
  elif [[ $answer == *AUTH* || $answer == *WRONGPASS* || $answer == *NOPERM* ]]; then
    die "redis at $R_WHERE refuses PING: ${answer//$'\n'/ }
    Fix the user/password in REDIS_URL (redis://[user]:password@host:port), or point it at another server."
  elif tcp_open "$R_HOST" "$R_PORT"; then
    die "redis: something listens at $R_WHERE but does not answer PING like Redis (${answer//$'\n'/ }); check REDIS_URL"
  else
    R_ADDR=$(local_addr "$R_HOST") || not_here Redis REDIS_URL "$R_WHERE" "redis://127.0.0.1:6379"
    if command -v redis-server >/dev/null; then
      redis_start_pkg
      how="started redis-server"
    elif compose_can_run redis:7; then
      compose_up redis SITEOPS_REDIS_PORT "$R_PORT"
      wait_for "$TIMEOUT" redis_ready || compose_timeout redis redis
      how="started docker compose service redis"
    else
      apt_install redis-server
      redis_start_pkg
      how="installed and started redis-server"
    fi
  fi
  say "redis    $R_WHERE ready ($how)"
}

# ---------------------------------------------------------------- NATS

# NATS greets every client with an INFO line; "jetstream":true says JetStream
# is on (the apps cannot work without it).
nats_info() {
  # shellcheck disable=SC2016 # $1 $2 belong to the inner bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && IFS= read -r line <&3 && printf "%s\n" "$line"' \
    _ "$N_HOST" "$N_PORT" 2>/dev/null || true
}
nats_ready() { [[ $(nats_info) == INFO*'"jetstream":true'* ]]; }

nats_start_pkg() {
  need_root "starting NATS" "start-stop-daemon --start --background --exec /usr/sbin/nats-server -- -a $N_ADDR -p $N_PORT -js ..."
  local pidfile="/run/siteops-nats-$N_PORT.pid" sd=/var/lib/nats-server nlog=/var/log/nats-server.log
  if [[ $N_PORT != 4222 ]]; then # two servers cannot share a store directory
    sd+="-$N_PORT"
    nlog="/var/log/nats-server-$N_PORT.log"
  fi
  mkdir -p "$sd"
  # The machine's own command; the pid file makes --oknodo mean "this one".
  start-stop-daemon --start --oknodo --background --make-pidfile --pidfile "$pidfile" \
    --exec /usr/sbin/nats-server -- -a "$N_ADDR" -p "$N_PORT" -js -sd "$sd" -l "$nlog" >>"$LOG" 2>&1 ||
    { log_tail "$nlog" && die "nats: nats-server did not start (log: $nlog)"; }
  if ! wait_for "$TIMEOUT" nats_ready; then
    log_tail "$nlog"
    start-stop-daemon --stop --quiet --oknodo --remove-pidfile --pidfile "$pidfile" --exec /usr/sbin/nats-server || true
    die "nats: nats-server did not answer with JetStream at $N_WHERE within ${TIMEOUT}s and was stopped again (log: $nlog)"
  fi
}

ensure_nats() {
  parse_url NATS_URL "$NATS_URL" 4222
  N_HOST=${U_HOST:-127.0.0.1} N_PORT=$U_PORT
  N_WHERE="$N_HOST:$N_PORT"
  local how="already running" info
  info=$(nats_info)
  if [[ $info == INFO* ]]; then
    [[ $info == *'"jetstream":true'* ]] || die "nats at $N_WHERE runs without JetStream, which siteops needs.
    Restart it with JetStream on: nats-server -js -sd <store dir> (or jetstream {} in its config)."
  elif tcp_open "$N_HOST" "$N_PORT"; then
    die "nats: something listens at $N_WHERE but does not greet like a NATS server; check NATS_URL"
  else
    N_ADDR=$(local_addr "$N_HOST") || not_here NATS NATS_URL "$N_WHERE" "nats://127.0.0.1:4222"
    if [[ -x /usr/sbin/nats-server ]]; then
      nats_start_pkg
      how="started nats-server"
    elif compose_can_run nats:2.9; then
      compose_up nats SITEOPS_NATS_PORT "$N_PORT"
      wait_for "$TIMEOUT" nats_ready || compose_timeout nats nats
      how="started docker compose service nats"
    else
      apt_install nats-server
      nats_start_pkg
      how="installed and started nats-server"
    fi
  fi
  say "nats     $N_WHERE ready, JetStream on ($how)"
}

# ---------------------------------------------------------------- main

ARGS=("$@")
# Docker first: with it up, the compose services are an option for the rest.
if ((WITH_DOCKER)); then ensure_docker; fi
ensure_postgres
ensure_redis
ensure_nats
if ((WITH_NGINX)); then ensure_nginx; fi
