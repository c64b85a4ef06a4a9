#!/bin/sh
# Station's container entrypoint: makes the home, restores station.db with Litestream when it is missing, then
# replaces itself with `stn serve` (under `litestream replicate -exec` when Litestream is configured), so the
# container's stop signal reaches the server. Arguments are passed to `stn serve`.
#
#   STATION_HOME              the Station home (required; the image sets /data/station, on the volume)
#   LITESTREAM_REPLICA_URL    s3://BUCKET/PATH or file:///FOLDER: restore from it and replicate to it (the home's
#                             litestream.yml is written by `stn init --litestream` from it)
#   STATION_ENVIRONMENTS_FROM a folder of environments (a ConfigMap, a folder baked into an image) copied into the
#                             home's environments/ at every start
#   STATION_API_KEY           an API key made outside (a Secret; `stn key import --help` says how), stored at every
#                             start as key STATION_API_KEY_NAME (default deploy) with role STATION_API_KEY_ROLE
#                             (default admin): the same key again changes nothing, another one replaces it
#
# Without LITESTREAM_REPLICA_URL a litestream.yml already in the home is used; with neither, plain `stn serve`.
set -eu

: "${STATION_HOME:?STATION_HOME must name the Station home (e.g. /data/station)}"
home=$STATION_HOME
db=$home/station.db
config=$home/litestream.yml
replica=${LITESTREAM_REPLICA_URL:-}

log() { printf 'entrypoint: %s\n' "$*" >&2; }

case $replica in
  '' | s3://?* | file:///?*) ;;
  *)
    log "LITESTREAM_REPLICA_URL must be s3://BUCKET/PATH or file:///FOLDER, got \"$replica\""
    exit 2
    ;;
esac

mkdir -p "$home"

if [ -n "${STATION_ENVIRONMENTS_FROM:-}" ]; then
  mkdir -p "$home/environments"
  # -L: a ConfigMap's files are symlinks into its ..data folder; the glob leaves out its hidden entries.
  for env_dir in "$STATION_ENVIRONMENTS_FROM"/*; do
    [ -d "$env_dir" ] || continue
    log "environment $(basename "$env_dir") from $env_dir"
    cp -RL "$env_dir" "$home/environments/"
  done
fi

if [ -n "$replica" ] || [ -f "$config" ]; then
  if [ -z "${STATION_ENCRYPTION_KEY:-}" ]; then
    log 'warning: STATION_ENCRYPTION_KEY is not set: the key file in the home is not replicated, and secrets' \
      'restored with station.db cannot be read without it'
  fi
  if [ -f "$db" ]; then
    log "$db exists: not restored"
  elif [ -n "$replica" ]; then
    log "restoring $db from $replica (if the replica exists)"
    litestream restore -if-replica-exists -o "$db" "$replica"
  else
    log "restoring $db with $config (if the replica exists)"
    litestream restore -config "$config" -if-replica-exists "$db"
  fi
fi

# Idempotent: makes what is missing (config.yaml, the default environment, the schema), changes nothing else.
if [ -n "$replica" ]; then
  stn init --litestream "$replica" >&2
else
  stn init >&2
fi

if [ -n "${STATION_API_KEY:-}" ]; then
  key_name=${STATION_API_KEY_NAME:-deploy}
  key_role=${STATION_API_KEY_ROLE:-admin}
  log "API key $key_name (role $key_role) from STATION_API_KEY"
  stn key import "$key_name" --role "$key_role" --from-env STATION_API_KEY --replace >&2
fi
# stn serve (and the MCP servers it starts) has no use for the plain key: only its hash is in the store.
unset STATION_API_KEY

if [ -f "$config" ]; then
  # litestream splits -exec into words like a shell: each argument is single-quoted.
  command="stn serve"
  for arg in "$@"; do
    command="$command '$(printf '%s' "$arg" | sed "s/'/'\\\\''/g")'"
  done
  log "replicating $db with $config while $command runs"
  exec litestream replicate -config "$config" -exec "$command"
fi
exec stn serve "$@"
