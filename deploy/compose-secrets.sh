#!/usr/bin/env bash
# Prints fresh secrets for docker-compose.yml as a .env file (docker-compose reads ./.env by itself):
#   deploy/compose-secrets.sh > .env && docker-compose up -d
# The compose file has no fallback for any of them (docs/security.md): the gateway's API key (printed again at
# the end, as a comment, to use with X-Api-Key), the salt of stream-clean's mask hashes, and the identity secret
# of each component (at least 32 bytes each), and the password of the PostgreSQL variant's database
# (docker-compose.postgres.yml). Keep the file private: chmod 600 .env.
set -euo pipefail
secret() { head -c 33 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }
key=$(secret)
cat <<ENV
TRIBUTARY_API_KEY=$key
TRIBUTARY_MASK_SALT=$(secret)
TRIBUTARY_GATEWAY_SECRET=$(secret)
TRIBUTARY_CLEAN_SECRET=$(secret)
TRIBUTARY_ANALYTICS_SECRET=$(secret)
TRIBUTARY_INGEST_SECRET=$(secret)
TRIBUTARY_DB_PASSWORD=$(secret)
# the gateway's API key (send it as X-Api-Key): $key
ENV
