#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests: Debian's `postgresql` package (installed when missing), one cluster in a
# folder the caller names (under a module's target/), on 127.0.0.1 and a free port, trust authentication for the
# superuser `tributary`. The tests of stream-clean-service and analytics-service start it through testkit's
# ThrowawayPostgres and stop it when their JVM ends; test.sh stops every one of them whatever happens.
#
#   scripts/pg-throwaway.sh start DIR [PORT]
#                                       prints the port (starts the cluster in DIR on PORT, else on a free port below
#                                       the ephemeral range; or reuses the one running there)
#   scripts/pg-throwaway.sh stop DIR    stops it (immediate shutdown) and deletes DIR
#   scripts/pg-throwaway.sh stop-all    stops every cluster this script started under the repository's */target/
#   scripts/pg-throwaway.sh install     installs Debian's postgresql when missing (root or sudo)
#   scripts/pg-throwaway.sh free-port   prints a free loopback port below the ephemeral range (10000-31999)
#
# The server runs with fsync off: what the tests kill are the services, never this server, so its own durability is
# not under test and the disk is spared. As root the server runs as the package's `postgres` user (PostgreSQL
# refuses to run as root), so DIR is handed to that user.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

bindir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z "$found" || ! -x "$found/pg_ctl" ]]; then
    return 1
  fi
  echo "$found"
}

install() {
  if bindir > /dev/null; then
    return 0
  fi
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq --no-install-recommends postgresql > /dev/null
  # the package starts a cluster of its own on 5432: not ours, and not needed
  $sudo pg_ctlcluster --force "$(ls /usr/lib/postgresql | sort -V | tail -n 1)" main stop > /dev/null 2>&1 || true
  bindir > /dev/null || { echo "pg-throwaway: postgresql did not install" >&2; exit 1; }
}

# runs a PostgreSQL program as the user that owns the cluster
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((10000 + RANDOM % 22000))
    if ! (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "pg-throwaway: no free port found" >&2
  return 1
}

start() {
  local dir="$1" wanted="${2:-}" bin port
  install
  bin=$(bindir)
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [[ -f "$dir/port" ]] && as_owner "$bin/pg_ctl" -D "$dir/data" status > /dev/null 2>&1; then
    cat "$dir/port"
    return 0
  fi
  as_owner "$bin/pg_ctl" -D "$dir/data" stop -m immediate > /dev/null 2>&1 || true
  rm -rf "$dir/data" "$dir/port"
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$dir"; fi
  as_owner "$bin/initdb" -D "$dir/data" -U tributary --auth=trust -E UTF8 --no-locale --no-sync > "$dir/initdb.log"
  for _ in 1 2 3; do
    port=${wanted:-$(free_port)}
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c full_page_writes=off" \
        > /dev/null; then
      echo "$port" | as_owner tee "$dir/port" > /dev/null
      echo "$port"
      return 0
    fi
  done
  echo "pg-throwaway: the server did not start, see $dir/postgres.log" >&2
  return 1
}

stop() {
  local dir="$1" bin
  bin=$(bindir) || return 0
  if [[ -d "$dir/data" ]]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" stop -m immediate > /dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "${2:?the cluster folder}" "${3:-}" ;;
  stop) stop "${2:?the cluster folder}" ;;
  stop-all)
    for d in "$ROOT"/*/target/postgres; do
      if [[ -d "$d" ]]; then stop "$d"; fi
    done
    ;;
  install) install ;;
  free-port) free_port ;;
  *) echo "usage: $0 start DIR | stop DIR | stop-all | install | free-port" >&2; exit 2 ;;
esac
