# Shared by the bench scripts that start services from their built jars (source it after setting
# LOG_TAG, LOG_FILE and OUT). Every function exits the script with a message when something is wrong.

log() { echo "[$LOG_TAG $(date +%H:%M:%S)] $*" | tee -a "$LOG_FILE"; }

# require_jars JAR...: each built jar exists.
require_jars() {
  local jar
  for jar in "$@"; do
    [[ -f $jar ]] || { echo "missing $jar; build first" >&2; exit 1; }
  done
}

# require_free_urls URL...: nothing answers there yet (a leftover service would skew the figures).
require_free_urls() {
  local url
  for url in "$@"; do
    if curl -s -o /dev/null "$url/actuator/health"; then echo "something already listens at $url" >&2; exit 1; fi
  done
}

# jfr_options NAME: sets JFR_OPTS to a flight recording into $OUT/NAME.jfr when JFR=1, else to nothing.
jfr_options() {
  JFR_OPTS=()
  if [[ "${JFR:-0}" == 1 ]]; then
    JFR_OPTS=("-XX:+FlightRecorder" "-XX:StartFlightRecording=filename=$OUT/$1.jfr,settings=profile,dumponexit=true")
  fi
}

# stop_pid PID: SIGTERM, up to 30 s for a clean stop, then SIGKILL. An empty or gone PID is fine.
stop_pid() {
  local pid=$1
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}

# await_health URL PID NAME: waits up to 120 s for the service's health endpoint; fails if it dies.
await_health() {
  local url=$1 pid=$2 name=$3 i
  for i in $(seq 120); do
    if curl -sf -o /dev/null "$url/actuator/health"; then log "$name up (pid $pid) after ${i} s"; return; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "$name died; see $OUT/$name.log" >&2; exit 1; fi
    sleep 1
  done
  echo "$name not healthy after 120 s" >&2
  exit 1
}

# machine_header: the lines every result log starts with, so figures can be compared later.
machine_header() {
  echo "machine: $(nproc) cpus, $(free -g | awk '/Mem:/{print $2}') GiB, load avg $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo n/a)"
}
