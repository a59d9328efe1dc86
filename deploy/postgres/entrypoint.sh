#!/usr/bin/env bash
# The stand-in image's start (see Dockerfile): on an empty $PGDATA, initdb with $POSTGRES_USER as superuser and
# password authentication from other hosts, then every /docker-entrypoint-initdb.d/*.sql once; then the server in the
# foreground, as the postgres user, on $PGPORT (default 5432) of every address. Arguments after a leading `postgres`
# go to the server, as with the official image (`command: [postgres, -c, name=value]`).
set -euo pipefail
: "${POSTGRES_USER:=postgres}" "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}" "${PGPORT:=5432}"
export PGPORT
mkdir -p "$PGDATA"
chown postgres:postgres "$PGDATA"
chmod 700 "$PGDATA"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }
if [[ ! -s $PGDATA/PG_VERSION ]]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  chown postgres "$pwfile"
  as_postgres initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 > /dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  as_postgres pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p $PGPORT" -w start > /dev/null
  for script in /docker-entrypoint-initdb.d/*.sql; do
    [[ -e $script ]] || continue
    echo "entrypoint: running $script"
    as_postgres psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -q -f "$script"
  done
  as_postgres pg_ctl -D "$PGDATA" -m fast -w stop > /dev/null
fi
[[ ${1:-} == postgres ]] && shift
exec setpriv --reuid=postgres --regid=postgres --init-groups -- postgres -D "$PGDATA" -c listen_addresses='*' \
  -p "$PGPORT" "$@"
