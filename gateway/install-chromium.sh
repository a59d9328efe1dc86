#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver when missing: the browser tests drive them (the gateway's
# SwaggerUiBrowserTest, the Swagger UI; system-tests' ConsoleBrowserTest, the web console). Called by .ci/run before the build; safe to run again (does nothing then).
# Needs root (or sudo) and access to the Debian package mirrors.
set -euo pipefail
if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-liberation > /dev/null
/usr/bin/chromium --version
/usr/bin/chromedriver --version
