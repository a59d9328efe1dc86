#!/usr/bin/env bash
# Installs Debian's docker-compose when missing: the deployment module's ComposeFileTest validates
# docker-compose.yml with `docker-compose config`. Checks for kubectl, which the Kubernetes manifest
# tests run as `kubectl kustomize` (Debian has no package for it: it must be on the machine).
# Called by test.sh before the build; safe to run again. Needs root (or sudo) to install.
set -euo pipefail
if ! command -v docker-compose > /dev/null; then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends docker-compose > /dev/null
fi
docker-compose --version
if command -v kubectl > /dev/null; then
  echo "kubectl: $(command -v kubectl)"
else
  echo "install-tools: kubectl is not on this machine; the Kubernetes manifest tests (kubectl kustomize) will fail" >&2
fi
