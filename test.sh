#!/usr/bin/env bash
# Runs every test of the suite, as CI does. The gateway's browser test drives Debian's
# chromium and chromium-driver, and the deployment checks run Debian's docker-compose (and kubectl,
# which must be on the machine), so they are installed first when missing (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")"
bash gateway/install-chromium.sh
bash deploy/install-tools.sh
# Two modules at a time (-T 2): after ingest-service (whose cluster and fault tests take 14-18 minutes
# on a 2-core machine), stream-clean and analytics test side by side, then the gateway beside the Spark
# module: 27 minutes for the whole build where one module at a time took 32.
./mvnw -B -T 2 verify "$@"
