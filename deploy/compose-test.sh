#!/usr/bin/env bash
# Scripted deployment test: the compose stack really runs. .ci/run executes it after the tests.
#
#   deploy/compose-test.sh [extra Maven arguments, e.g. -o -Dmaven.repo.local=...]
#
# 1. installs Debian's docker.io, docker-compose and debootstrap when missing;
# 2. starts a private dockerd: data-root, exec-root, pidfile and socket under target/compose-test,
#    --bridge=none --iptables=false --ip-masq=false (the machine's firewall and network stay untouched);
# 3. builds the JRE base image from Debian packages (deploy/jre-base/build-jre-base.sh), cached in
#    ~/.cache/tributary between runs, then the four images with Jib (profile offline-base, jib:buildTar)
#    and loads them into that daemon: nothing is pulled from a registry;
# 4. docker-compose up with docker-compose.host-network.yml (all containers on the host network, the
#    services on 127.0.0.1), waits for every container to be healthy;
# 5. checks that the gateway's image serves the web console and its libraries, and that the stack's key signs in;
#    runs the demo through the gateway (demo/setup.sh, 200 generated orders) and waits until every
#    order is either in clean.orders or in dlq.orders, with malformed ones in the latter, and the job
#    revenue-by-country has results; raw.orders must have 3 replicas per partition;
# 6. docker-compose down -v; dockerd is stopped by its PID and its mounts are released, whatever happened.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
repo=$(pwd)
maven_args=("$@")

work=$repo/target/compose-test
cache=${TRIBUTARY_CACHE:-$HOME/.cache/tributary}
# Unix socket paths are limited to 107 bytes (containerd's sockets live deeper than docker.sock): a
# clone in a deep folder gets the sockets and exec-root in a short folder of its own instead.
sockets=$work
if (( ${#work} > 60 )); then sockets=/tmp/tributary-compose-test; fi
sock=$sockets/docker.sock
pidfile=$work/dockerd.pid
project=tributary-compose-test
gateway=http://127.0.0.1:8080
services=(ingest-service stream-clean-service analytics-service gateway)
compose_files=(-f docker-compose.yml -f docker-compose.host-network.yml)
# The compose file has no fallback for its secrets (docs/security.md): this run makes its own, as a user does.
set -a
eval "$(deploy/compose-secrets.sh | grep -v '^#')"
set +a
key=$TRIBUTARY_API_KEY
export DOCKER_HOST=unix://$sock
started=$(date +%s)

say() { echo "compose-test [$(( $(date +%s) - started ))s]: $*"; }
fail() { echo "compose-test FAILED: $*" >&2; exit 1; }

# --- clean-up, whatever happens -------------------------------------------------------------------
stop_pid() { # pid seconds
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 "$2"); do kill -0 "$1" 2>/dev/null || return 0; sleep 1; done
  kill -9 "$1" 2>/dev/null || true
}
release_mounts() { # every mount under $work or $sockets (netns files, overlay layers), deepest first
  local m
  for m in $( (grep -o -e " $work/[^ ]*" -e " $sockets/[^ ]*" /proc/mounts || true) | sort -ru); do
    umount -l "$m" 2>/dev/null || true
  done
}
compose_up=false
cleanup() {
  local rc=$?
  trap '' INT TERM
  if $compose_up; then
    if (( rc != 0 )); then
      say "logs of the stack (last 60 lines per container):"
      docker-compose -p "$project" "${compose_files[@]}" logs --no-color --tail=60 2>&1 | tail -n 400 || true
    fi
    say "docker-compose down -v"
    timeout 120 docker-compose -p "$project" "${compose_files[@]}" down -v --remove-orphans > "$work/down.log" 2>&1 \
      || echo "compose-test: down failed, see $work/down.log" >&2
  fi
  if [[ -f $pidfile ]]; then
    local pid containerd_pid
    pid=$(cat "$pidfile")
    containerd_pid=$(cat "$sockets/run/containerd/containerd.pid" 2>/dev/null || true)
    say "stopping dockerd (pid $pid)"
    stop_pid "$pid" 30
    [[ -n $containerd_pid ]] && stop_pid "$containerd_pid" 10
    rm -f "$pidfile"
  fi
  release_mounts
  rm -rf "$work/data-root" "$sockets/run" "$sockets/docker.sock" 2>/dev/null || true
  if (( rc != 0 )) && [[ -f $work/dockerd.log ]]; then
    echo "compose-test: dockerd log (last 20 lines):" >&2; tail -n 20 "$work/dockerd.log" >&2
  fi
  (( rc == 0 )) && say "passed" || echo "compose-test: failed (exit $rc)" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. packages ----------------------------------------------------------------------------------
missing=()
command -v dockerd > /dev/null || missing+=(docker.io)
command -v docker-compose > /dev/null || missing+=(docker-compose)
command -v debootstrap > /dev/null || missing+=(debootstrap)
command -v jq > /dev/null || missing+=(jq)
command -v curl > /dev/null || missing+=(curl)
if (( ${#missing[@]} )); then
  say "installing ${missing[*]}"
  sudo_cmd=(); [[ $(id -u) == 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q > /dev/null
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}" > /dev/null \
    || fail "could not install ${missing[*]}"
fi
[[ $(id -u) == 0 ]] || fail "a private dockerd needs root"

# --- 2. a private dockerd -------------------------------------------------------------------------
# A daemon left by an interrupted earlier run of this script (our own pidfile only) goes first.
if [[ -f $pidfile ]]; then stop_pid "$(cat "$pidfile")" 30; rm -f "$pidfile"; fi
release_mounts
rm -rf "$work" "$sockets/run" "$sockets/docker.sock"
mkdir -p "$work" "$sockets"
echo '{}' > "$work/daemon.json"
say "starting dockerd on $sock"
dockerd --config-file "$work/daemon.json" --data-root "$work/data-root" --exec-root "$sockets/run" \
  --pidfile "$pidfile" -H "unix://$sock" --bridge=none --iptables=false --ip-masq=false \
  > "$work/dockerd.log" 2>&1 &
for _ in $(seq 1 60); do
  docker info > /dev/null 2>&1 && break
  [[ -f $pidfile ]] || kill -0 $! 2>/dev/null || fail "dockerd exited at start; see $work/dockerd.log"
  sleep 1
done
docker info > /dev/null 2>&1 || fail "dockerd did not answer on $sock within 60 s"

# --- 3. images ------------------------------------------------------------------------------------
base=$cache/jre-base-$(sha256sum deploy/jre-base/build-jre-base.sh | cut -c1-12).tar
if [[ -f $base ]]; then
  say "JRE base image from the cache: $base"
else
  say "building the JRE base image with debootstrap into $base"
  deploy/jre-base/build-jre-base.sh "$base"
fi
say "building the four images with Jib (offline base)"
./mvnw -B -q -Poffline-base "-Dtributary.image.base-tar=$base" -DskipTests "${maven_args[@]}" \
  -pl "$(IFS=,; echo "${services[*]}")" -am package jib:buildTar > "$work/jib.log" 2>&1 \
  || { tail -n 40 "$work/jib.log" >&2; fail "the Jib build failed; see $work/jib.log"; }
for s in "${services[@]}"; do
  docker load -q -i "$s/target/jib-image.tar" || fail "docker load of $s failed"
done

# --- 4. the stack ---------------------------------------------------------------------------------
# run_stack VARIANT [COMPOSE FILE ARGUMENTS]: the stack up on the host network, healthy, data through it (step 5),
# then down with its volumes. Run twice: on H2 files (docker-compose.yml as a user starts it) and on PostgreSQL
# (docker-compose.postgres.yml, with an image of Debian's postgresql built here: deploy/postgres).
run_stack() {
  local variant=$1; shift
  local expected_containers=6
  [[ $variant == postgres ]] && expected_containers=7
  compose_files=(-f docker-compose.yml "$@" -f docker-compose.host-network.yml)
  say "[$variant] the stack: ${compose_files[*]}"
  # docker-compose refuses published ports on the host network ("host" network_mode is incompatible
  # with port_bindings) and an override cannot delete a key, so the merged configuration is written out
  # and the gateway's (meaningless there: it listens on the host's 8080 anyway) ports are dropped.
  docker-compose "${compose_files[@]}" config > "$work/compose.merged.yml" || fail "docker-compose config failed"
  # The database's port on the host network: a free one below the kernel's ephemeral range (32768 and up),
  # so that no outgoing connection of the stack itself (Raft, HTTP between the nodes) can hold it already.
  local pg_port
  pg_port=$(scripts/pg-throwaway.sh free-port) || fail "no free port for PostgreSQL"
  PG_HOST_PORT=$pg_port /usr/bin/python3 - "$work/compose.merged.yml" "$work/compose.host.yml" <<'PY' || fail "could not write the host-network file"
import os, sys, yaml  # python3-yaml comes with Debian's docker-compose
port = os.environ["PG_HOST_PORT"]
config = yaml.safe_load(open(sys.argv[1]))
database = config["services"].get("postgres")
if database is not None:
    # the PostgreSQL variant's database joins the host network too: its own port, loopback only
    database["network_mode"] = "host"
    database.setdefault("environment", {})["PGPORT"] = port
    database["command"] = ["postgres", "-c", "listen_addresses=127.0.0.1"]
    for service in config["services"].values():
        env = service.get("environment") or {}
        for key, value in env.items():
            if isinstance(value, str):
                env[key] = value.replace("//postgres:5432/", f"//127.0.0.1:{port}/")
for service in config["services"].values():
    assert service.get("network_mode") == "host", service
    service.pop("ports", None)
yaml.safe_dump(config, open(sys.argv[2], "w"), sort_keys=False)
PY
  compose_files=(-f "$work/compose.host.yml")
  say "docker-compose up (host network override)"
  compose_up=true
  timeout 600 docker-compose -p "$project" "${compose_files[@]}" up -d > "$work/up.log" 2>&1 \
    || { cat "$work/up.log" >&2; fail "docker-compose up failed"; }
  containers=$(docker-compose -p "$project" "${compose_files[@]}" ps -q)
  [[ $(wc -w <<< "$containers") == "$expected_containers" ]] \
    || fail "expected $expected_containers containers, got: $containers"
  deadline=$(( $(date +%s) + 300 ))
  while :; do
    unhealthy=$(for c in $containers; do
      status=$(docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$c")
      [[ $status == *" running healthy" ]] || echo "$status"
    done)
    [[ -z $unhealthy ]] && break
    (( $(date +%s) < deadline )) || fail "containers not healthy after 300 s: $unhealthy"
    sleep 3
  done
  say "[$variant] all $expected_containers containers healthy"
  user=$(docker inspect -f '{{.Config.User}}' "${project}_gateway_1")
  [[ $user == 10001:0 ]] || fail "the gateway runs as '$user', expected 10001:0"
  # The web console and its libraries come from the gateway's image itself (docs/console.md): no CDN at run time.
  # (read whole first: grep -q stopping early would fail curl's write, and the pipeline with it)
  console_page=$(curl -fsS --max-time 10 "$gateway/console/") || fail "the gateway serves no console at /console/"
  grep -q '<title>Tributary console</title>' <<< "$console_page" || fail "/console/ is not the console's page"
  for asset in /console/js/app.js /webjars/alpinejs/dist/cdn.min.js /webjars/chart.js/dist/chart.umd.js; do
    curl -fsS --max-time 10 -o /dev/null "$gateway$asset" || fail "the gateway does not serve the console's $asset"
  done
  signed_in=$(curl -fsS --max-time 10 "$gateway/console/api/session" -H "X-Api-Key: $key" | jq -r .name)
  [[ $signed_in == compose-admin ]] || fail "the console's sign-in check named '$signed_in', expected compose-admin"

  # --- 5. data through the gateway ------------------------------------------------------------------
  # A deployed ingest starts closed (docs/security.md): the stack's admin key may manage topics and ACLs but read or
  # write no data until an ACL says so. Shown first, then the grants a deployment would make for its key.
  status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$gateway/api/v1/topics/__consumer_offsets/records" \
    -H "X-Api-Key: $key" -H 'Content-Type: application/json' -d '{"records":[{"value":{}}]}')
  [[ $status == 403 ]] || fail "writing an internal topic answered $status, expected 403"
  for type in TOPIC GROUP; do
    curl -fsS -o /dev/null -X POST "$gateway/api/v1/acls" -H "X-Api-Key: $key" -H 'Content-Type: application/json' \
      -d '{"principal":"User:compose-admin","resourceType":"'$type'","patternType":"LITERAL","name":"*","operation":"ALL","permission":"ALLOW"}' \
      || fail "granting the stack's key $type access failed"
  done
  demo/setup.sh "$gateway" "$key"
  java demo/OrderGenerator.java --url "$gateway" --key "$key" --rate 50 --count 200 --seed 7 > "$work/generator.log" 2>&1 \
    || { cat "$work/generator.log" >&2; fail "the order generator failed"; }
  produced=$(grep -c '^sent ' "$work/generator.log")
  say "produced 200 orders in $produced requests"

  api() { curl -fsS --max-time 10 "$gateway$1" -H "X-Api-Key: $key"; }
  records_in() { api "/api/v1/topics/$1" | jq '[.partitionDetails[].highWatermark] | add'; }

  replicas=$(api /api/v1/topics/raw.orders | jq '[.partitionDetails[].replicas | length] | min')
  [[ $replicas == 3 ]] || fail "raw.orders partitions have $replicas replicas, expected 3"

  deadline=$(( $(date +%s) + 180 ))
  while :; do
    clean=$(records_in clean.orders) dlq=$(records_in dlq.orders)
    rows=$(api '/api/v1/jobs/revenue-by-country/results?size=1' | jq '.totalRows')
    (( clean + dlq == 200 && rows > 0 )) && break
    (( $(date +%s) < deadline )) || fail "after 180 s: clean $clean + dead letters $dlq of 200, job result rows $rows"
    sleep 2
  done
  (( dlq > 0 )) || fail "no malformed order reached dlq.orders"
  sample=$(api '/api/v1/topics/clean.orders/partitions/0/records?offset=0&maxRecords=1')
  jq -e '.records[0].value | (.email | test("^[0-9a-f]{64}$")) and (.ts | test("Z$"))' <<< "$sample" > /dev/null \
    || fail "clean.orders records are not masked and normalised: $sample"
  revenue=$(api '/api/v1/jobs/revenue-by-country/results?size=100' | jq '[.rows[].values.revenue] | add')
  say "[$variant] clean.orders $clean, dlq.orders $dlq, revenue-by-country $rows rows (revenue $revenue)"
  if [[ $variant == postgres ]]; then
    # what the services stored is in PostgreSQL (no H2 file behind them), in tables Flyway made
    sql() { docker exec "${project}_postgres_1" psql -U tributary -d "$1" -tAc "$2"; }
    [[ $(sql clean "SELECT count(*) FROM pipelines") == 1 ]] || fail "the pipeline is not in PostgreSQL"
    stored=$(sql analytics "SELECT count(*) FROM analytics_result WHERE job_name = 'revenue-by-country'")
    (( stored > 0 )) || fail "the job's results are not in PostgreSQL"
    [[ $(sql analytics "SELECT max(version) FROM flyway_schema_history") == 2 ]] || fail "analytics' schema is not at V2"
    say "[$variant] in PostgreSQL: 1 pipeline, $stored result rows, schemas migrated by Flyway"
  fi
  say "[$variant] docker-compose down -v"
  timeout 120 docker-compose -p "$project" "${compose_files[@]}" down -v --remove-orphans > "$work/down.log" 2>&1 \
    || fail "docker-compose down failed, see $work/down.log"
  compose_up=false
}

run_stack h2

# The PostgreSQL variant's database image: Debian's postgresql-15 on the JRE base, built once and cached like it.
postgres_image=tributary/postgres-debian:15
postgres_tar=$cache/postgres-$(cat "$base" deploy/postgres/Dockerfile deploy/postgres/entrypoint.sh | sha256sum | cut -c1-12).tar
if [[ -f $postgres_tar ]]; then
  say "PostgreSQL image from the cache: $postgres_tar"
  docker load -q -i "$postgres_tar" > /dev/null || fail "docker load of $postgres_tar failed"
else
  say "building the PostgreSQL image from Debian's packages (deploy/postgres)"
  docker load -q -i "$base" > /dev/null || fail "docker load of the JRE base failed"
  docker build -q --network host -t "$postgres_image" deploy/postgres > "$work/postgres-build.log" 2>&1 \
    || { tail -n 30 "$work/postgres-build.log" >&2; fail "the PostgreSQL image build failed"; }
  docker save -o "$postgres_tar.partial" "$postgres_image" && mv "$postgres_tar.partial" "$postgres_tar"
fi
export TRIBUTARY_POSTGRES_IMAGE=$postgres_image
run_stack postgres -f docker-compose.postgres.yml
