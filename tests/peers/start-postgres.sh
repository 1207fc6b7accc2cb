#!/bin/bash
# Starts a throw-away PostgreSQL cluster for tests: initdb into DIR/data, the server on 127.0.0.1:P with its
# unix socket in DIR, trust authentication for the user `postgres`, no fsync (a test's data need not survive a
# power cut) unless --durable (fsync and synchronous commits, as a real store: for benchmarks). Commit times are
# tracked (pg_xact_commit_timestamp) for latency figures. PostgreSQL refuses to run as root: as root (the tests are) the cluster belongs to the Debian user
# `postgres` and both initdb and the server run through `runuser -u postgres`; as anyone else, as that user.
# Connect with postgresql://postgres@127.0.0.1:P/postgres.
#
#   start-postgres.sh --port P --dir DIR [--timeout-s S] [--durable]
set -u
here=$(dirname "$(readlink -f "$0")")
source "$here/peer-lib.sh"

port="" dir="" timeout_s=20 durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
while (( $# )); do
  case "$1" in
    --durable) durability=""; shift; continue ;;
    --port) port=$2 ;;
    --dir) dir=$2 ;;
    --timeout-s) timeout_s=$2 ;;
    *) die "unknown argument: $1" ;;
  esac
  shift 2 || die "missing value for $1"
done
[[ "$port" =~ ^[0-9]+$ ]] || die "--port P is required"
[[ -n "$dir" ]] || die "--dir DIR is required"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[[ -x "$bin/initdb" && -x "$bin/pg_ctl" ]] || die "PostgreSQL is not installed (Debian package postgresql)"

mkdir -p "$dir" || die "cannot create $dir"
dir=$(readlink -f "$dir")
port_listening "$port" && die "port $port is already in use"
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || die "no user postgres to run the cluster as (Debian package postgresql makes it)"
  chown postgres: "$dir" || die "cannot give $dir to postgres"
  chmod o+x "$(dirname "$dir")" 2>/dev/null  # postgres must reach DIR through its parent
  as_owner=(runuser -u postgres --)
fi

started_ms=$(now_ms)
if [[ ! -d "$dir/data" ]]; then
  "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1 || die "initdb failed:
$(tail -n 20 "$dir/initdb.log")"
fi
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t "$timeout_s" start \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c track_commit_timestamp=on $durability" \
  >"$dir/pg_ctl.log" 2>&1 || die "postgres did not start on 127.0.0.1:$port:
$(tail -n 20 "$dir/pg_ctl.log" "$dir/postgres.log" 2>/dev/null)"
echo "postgres ready: port=$port dir=$dir ready_ms=$(( $(now_ms) - started_ms ))"
