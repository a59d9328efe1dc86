#!/usr/bin/env bash
# Runs every test of the suite, as CI does. The gateway's browser test drives Debian's
# chromium and chromium-driver, the deployment checks run Debian's docker-compose (and kubectl,
# which must be on the machine), and the PostgreSQL variants of stream-clean's and analytics' tests
# run Debian's postgresql (a throwaway cluster per test JVM under <module>/target/postgres), so they
# are installed first when missing (needs root or sudo). Those clusters are stopped however this ends.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/java-env.sh # JAVA_HOME: a JDK 25; the Spark tests' JDK 17 or 21
bash gateway/install-chromium.sh
bash deploy/install-tools.sh
bash scripts/pg-throwaway.sh install
trap 'bash scripts/pg-throwaway.sh stop-all' EXIT
# Two modules at a time: after the shared libraries, ingest-service's tests (mostly waiting on Raft round trips and
# restarts, about one core busy) run beside stream-clean's, analytics' and the gateway's, which do not depend on it.
./mvnw -B -T 2 verify "$@"
