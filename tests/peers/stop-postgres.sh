#!/bin/bash
# Stops the cluster start-postgres.sh started in DIR (fast shutdown: sessions are disconnected).
#
#   stop-postgres.sh DIR
set -u
source "$(dirname "$(readlink -f "$0")")/peer-lib.sh"
[[ $# -eq 1 ]] || die "usage: stop-postgres.sh DIR"
dir=$(readlink -f "$1")
[[ -f "$dir/data/postmaster.pid" ]] || exit 0
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
as_owner=()
[[ $(id -u) -eq 0 ]] && as_owner=(runuser -u postgres --)
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 10 stop >/dev/null 2>&1 || die "pg_ctl stop failed for $dir"
