#!/usr/bin/env bash
# Set-up for `make run`, `make test` and `make bench` on a fresh Debian machine, as root.
# Installs what is missing, starts a private PostgreSQL and Redis (unless DATABASE_URL and
# REDIS_URL are set), and prints the environment the Go commands need.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
run_dir="$top/.run"
redis_port=${AULA_REDIS_PORT:-56379}
redis_name=redis
# Two private clusters: the school's (make run, make bench), durable, and the tests' (make
# test), which trades durability for speed. Neither ever changes the other's settings.
mode=run
pg_port=${AULA_PG_PORT:-55432}
pg_name=pg

log() { printf 'aula: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# listening says whether something accepts connections on 127.0.0.1:$1.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; else
      log "Go 1.26 or newer is needed (https://go.dev/doc/install); Debian's golang package is too old."; exit 1
    fi
  fi
}

# install_packages installs from the OS package manager what this machine lacks.
install_packages() {
  local want=()
  local private=$1
  if [ "$private" = yes ]; then
    pg_bin >/dev/null 2>&1 || want+=(postgresql)
    command -v redis-server >/dev/null 2>&1 || want+=(redis-server)
  fi
  if [ "${2:-}" = browser ]; then
    command -v chromium >/dev/null 2>&1 || want+=(chromium)
    # The certificate tests read their PDFs back: pdftotext, pdfinfo, pdftoppm.
    command -v pdftotext >/dev/null 2>&1 || want+=(poppler-utils)
    # The handlers tests check badges with the DCC verifier, a Node program.
    command -v node >/dev/null 2>&1 || want+=(nodejs npm)
    # The scale-out test runs three Sentinels beside a Redis master and its replica.
    command -v redis-sentinel >/dev/null 2>&1 || want+=(redis-sentinel)
  fi
  [ ${#want[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then log "missing ${want[*]}: run as root, or install them"; exit 1; fi
  log "installing ${want[*]} from apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
}

# dcc_verifier installs the DCC verifier's locked packages when they are missing or older
# than the lock file; nothing else is downloaded at test time.
dcc_verifier() {
  local dir="$top/handlers/testdata/dcc-verifier"
  [ -f "$dir/package-lock.json" ] || return 0
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "installing the DCC verifier's npm packages"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null 2>&1 ||
      die "npm ci --prefix handlers/testdata/dcc-verifier failed"
  fi
}

pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_data picks the cluster's folder: .run/pg in the checkout when the postgres user can
# reach it, else a folder under /var/tmp named after the checkout, linked from .run/pg.
pg_data() {
  if [ -L "$run_dir/$pg_name" ] || [ -d "$run_dir/$pg_name" ]; then readlink -f "$run_dir/$pg_name"; return; fi
  if [ "$(id -u)" != 0 ] || runuser -u postgres -- test -w "$run_dir"; then
    echo "$run_dir/$pg_name"; return
  fi
  local d="/var/tmp/aula-$(printf '%s' "$top" | cksum | cut -d' ' -f1)/$pg_name"
  mkdir -p "$d"; ln -sfn "$d" "$run_dir/$pg_name"; echo "$d"
}

# pg_settings are the durability settings of the cluster for this mode: the school's keeps
# PostgreSQL's safe defaults; only the tests' cluster turns them off.
pg_settings() {
  if [ "$mode" = test ]; then
    printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n'
  else
    printf 'fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n'
  fi
}

start_postgres() {
  local bin data
  bin=$(pg_bin)
  data=$(pg_data)
  if [ ! -f "$data/PG_VERSION" ]; then
    log "creating a private PostgreSQL cluster in $data"
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown -R postgres: "$(dirname "$data")" "$data"
    chmod 700 "$data"
    as_postgres "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$data'
max_connections = 300
CONF
  fi
  # The durability settings live in a file of their own, included last, so that they are
  # set anew at every start (a cluster made by an older set-up had them off).
  grep -q "^include_if_exists = 'aula.conf'" "$data/postgresql.conf" ||
    echo "include_if_exists = 'aula.conf'" >>"$data/postgresql.conf"
  { echo "port = $pg_port"; pg_settings; } >"$data/aula.conf"
  [ "$(id -u)" = 0 ] && chown postgres: "$data/aula.conf"
  if as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl" -D "$data" reload >/dev/null
  else
    if listening "$pg_port"; then
      die "port $pg_port is taken by another program: stop it, or set AULA_PG_PORT, or DATABASE_URL and REDIS_URL"
    fi
    log "starting PostgreSQL on 127.0.0.1:$pg_port ($mode)"
    if ! as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null; then
      tail -n 5 "$data/server.log" >&2 || true
      die "PostgreSQL could not start on 127.0.0.1:$pg_port; its log is $data/server.log"
    fi
  fi
  as_postgres "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -tAc \
    "SELECT 1 FROM pg_roles WHERE rolname='aula'" | grep -q 1 ||
    as_postgres "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE ROLE aula LOGIN SUPERUSER"
  as_postgres "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='aula'" | grep -q 1 ||
    as_postgres "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE aula OWNER aula"
}

start_redis() {
  mkdir -p "$run_dir/$redis_name"
  local pid
  if redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    # Ours only if the process in our pid file is alive: another Redis on the port is not.
    pid=$(cat "$run_dir/$redis_name/redis.pid" 2>/dev/null || true)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
      die "port $redis_port is taken by a Redis that is not Aula's: stop it, or set AULA_REDIS_PORT, or DATABASE_URL and REDIS_URL"
    fi
    return 0
  fi
  if listening "$redis_port"; then
    die "port $redis_port is taken by another program: stop it, or set AULA_REDIS_PORT, or DATABASE_URL and REDIS_URL"
  fi
  log "starting Redis on 127.0.0.1:$redis_port"
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$run_dir/$redis_name" \
    --daemonize yes --pidfile "$run_dir/$redis_name/redis.pid" --logfile "$run_dir/$redis_name/redis.log" \
    --save "" --appendonly yes >/dev/null
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  tail -n 5 "$run_dir/$redis_name/redis.log" >&2 || true
  die "Redis could not start on 127.0.0.1:$redis_port; its log is $run_dir/$redis_name/redis.log"
}

stop() {
  local pid name
  for name in redis redis-test; do
    pid=$(cat "$run_dir/$name/redis.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  done
  for name in pg pg-test; do
    if [ -e "$run_dir/$name" ] && bin=$(pg_bin); then
      as_postgres "$bin/pg_ctl" -D "$(readlink -f "$run_dir/$name")" -m fast stop >/dev/null 2>&1 || true
    fi
  done
  log "private servers stopped"
}

# setup prints `export` lines for DATABASE_URL and REDIS_URL. Its argument is the mode:
# run (the school's durable cluster) or test (the tests' cluster, a browser and poppler-utils).
setup() {
  case "${1:-run}" in
    run) ;;
    test) mode=test; pg_port=${AULA_TEST_PG_PORT:-55433}; pg_name=pg-test
      redis_port=${AULA_TEST_REDIS_PORT:-56380}; redis_name=redis-test ;;
    *) die "unknown mode ${1:-}: run or test" ;;
  esac
  need_go
  mkdir -p "$run_dir"
  local private=no
  if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then private=yes; fi
  local browser=
  [ "$mode" = test ] && browser=browser
  install_packages "$private" "$browser"
  [ "$mode" = test ] && dcc_verifier
  if [ "$private" = yes ]; then
    start_postgres
    start_redis
    echo "export DATABASE_URL='postgres://aula@127.0.0.1:$pg_port/aula?sslmode=disable'"
    echo "export REDIS_URL='redis://127.0.0.1:$redis_port/0'"
  else
    log "using DATABASE_URL and REDIS_URL from the environment"
  fi
  # The school's secret, which seals its certificate-signing keys in PostgreSQL: made once,
  # kept in .run (never served), unless the environment gives one.
  if [ -z "${AULA_SECRET_KEY:-}" ] && [ -z "${AULA_SECRET_KEY_FILE:-}" ]; then
    if [ ! -s "$run_dir/secret.key" ]; then
      (umask 077; head -c 32 /dev/urandom | base64 >"$run_dir/secret.key")
    fi
    echo "export AULA_SECRET_KEY_FILE='$run_dir/secret.key'"
  fi
  echo "export PATH='$PATH'"
}

case "${1:-}" in
  setup) shift; setup "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 setup [run|test] | stop" >&2; exit 2 ;;
esac
