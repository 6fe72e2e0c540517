#!/bin/sh
# Stand-in for the first-boot part of the official postgres image's entrypoint
# (docker-library/postgres 16/bookworm/docker-entrypoint.sh; settings from its Dockerfile), run
# with Debian's PostgreSQL 15 (production: the postgres:16 image). Same steps, same results:
#   - initdb as the image's postgres user with POSTGRES_USER as the superuser and
#     POSTGRES_PASSWORD as its password (--pwfile from a pipe, never a file or argument);
#   - listen_addresses = '*' (the image edits postgresql.conf.sample to that);
#   - pg_hba.conf: initdb's default rules (trust for the local socket and 127.0.0.1/::1) plus
#     "host all all all <password_encryption>", i.e. scram-sha-256 for every other address;
#   - a socket-only temporary server creates POSTGRES_DB, then stops;
#   - later boots skip all that when PGDATA/PG_VERSION exists.
# Then it runs the container's command (the image's CMD: postgres). As in the official
# entrypoint, arguments that start with "-" (the chart's "-c name=value" server settings) are
# given to postgres.
set -eu
case "${1:-}" in -*) set -- postgres "$@" ;; esac
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  printf '%s\n' "$POSTGRES_PASSWORD" | initdb --username="$POSTGRES_USER" --pwfile=/dev/stdin >/dev/null
  sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" "$PGDATA/postgresql.conf"
  auth=$(postgres -C password_encryption)
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start >/dev/null
  sql() { psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc --dbname postgres \
    --set db="$POSTGRES_DB" --tuples-only; }
  exists=$(printf "SELECT 1 FROM pg_database WHERE datname = :'db';\n" | sql)
  if [ -z "$exists" ]; then printf 'CREATE DATABASE :"db";\n' | sql >/dev/null; fi
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "PostgreSQL init process complete; ready for start up."
fi
exec "$@"
