#!/bin/sh
# A stand-in for the `litestream` binary (none is installed here, and Debian has no package), placed first on PATH
# by test/e2e/entrypoint.test.ts. It appends each call's arguments to $LITESTREAM_STAND_IN_LOG (one line, tab
# separated) and does the little the entrypoint relies on, with file:// replicas only:
#   restore [-config FILE] [-if-replica-exists] [-o OUT] DB|URL   copies REPLICA/station.db to the database path
#   replicate -config FILE -exec CMD   runs CMD as its child, forwards SIGTERM/SIGINT to it, waits, then copies
#                                      the database to REPLICA/station.db and exits with the child's status
# The real Litestream streams WAL frames and snapshots instead of copying the file.
set -eu

line=''
for arg in "$@"; do line="$line$arg	"; done
printf '%s\n' "$line" >>"${LITESTREAM_STAND_IN_LOG:?}"

config='' out='' exec_cmd='' if_exists=0 target=''
verb=$1
shift
while [ $# -gt 0 ]; do
  case $1 in
    -config) config=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    -exec) exec_cmd=$2; shift 2 ;;
    -if-replica-exists) if_exists=1; shift ;;
    -*) echo "litestream stand-in: unknown flag $1" >&2; exit 2 ;;
    *) target=$1; shift ;;
  esac
done

config_value() { sed -n "s/^ *-\{0,1\} *$1: *//p" "$config" | head -n 1; }

case $verb in
  restore)
    case $target in
      file://*) url=$target ;;
      *) url=$(config_value url); out=${out:-$target} ;;
    esac
    case $url in
      file://*) folder=${url#file://} ;;
      *) echo "litestream stand-in: only file:// replicas, not $url" >&2; exit 2 ;;
    esac
    if [ ! -f "$folder/station.db" ]; then
      if [ "$if_exists" = 1 ]; then echo 'no matching backups found' >&2; exit 0; fi
      echo "litestream stand-in: no replica in $folder" >&2
      exit 1
    fi
    cp "$folder/station.db" "$out"
    ;;
  replicate)
    db=$(config_value path)
    url=$(config_value url)
    folder=${url#file://}
    eval "set -- $exec_cmd"
    "$@" &
    child=$!
    interrupted=0
    trap 'interrupted=1; kill -TERM "$child" 2>/dev/null || :' TERM
    trap 'interrupted=1; kill -INT "$child" 2>/dev/null || :' INT
    while :; do
      interrupted=0
      set +e
      wait "$child"
      status=$?
      set -e
      # A wait cut short by a trap returns above 128 while the child still runs: wait again.
      if [ "$interrupted" = 1 ] && [ "$status" -gt 128 ] && kill -0 "$child" 2>/dev/null; then continue; fi
      if [ "$interrupted" = 1 ] && [ "$status" -gt 128 ]; then
        set +e
        wait "$child"
        again=$?
        set -e
        [ "$again" = 127 ] || status=$again
      fi
      break
    done
    mkdir -p "$folder"
    if [ -f "$db" ]; then cp "$db" "$folder/station.db"; fi
    exit "$status"
    ;;
  *)
    echo "litestream stand-in: unknown command $verb" >&2
    exit 2
    ;;
esac
