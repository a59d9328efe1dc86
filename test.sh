#!/usr/bin/env bash
# Runs every test of the suite, as CI does. The gateway's browser test drives Debian's
# chromium and chromium-driver, and the deployment checks run Debian's docker-compose (and kubectl,
# which must be on the machine), so they are installed first when missing (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")"
bash gateway/install-chromium.sh
bash deploy/install-tools.sh
# Two modules at a time (-T 2): stream-clean, analytics and the deployment checks do not depend on
# ingest-service, so their tests run beside ingest-service's cluster and fault tests (18 of the 32
# minutes a one-at-a-time build took on a 2-core machine) instead of after them.
./mvnw -B -T 2 verify "$@"
