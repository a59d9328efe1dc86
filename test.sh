#!/usr/bin/env bash
# Runs every test of the suite, as CI does. The gateway's browser test drives Debian's
# chromium and chromium-driver, and the deployment checks run Debian's docker-compose (and kubectl,
# which must be on the machine), so they are installed first when missing (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/java-env.sh # JAVA_HOME: a JDK 25; the Spark tests' JDK 17 or 21
bash gateway/install-chromium.sh
bash deploy/install-tools.sh
./mvnw -B verify "$@"
