#!/bin/bash
# Stops the nginx-rtmp started by start-rtmp.sh in DIR. SIGTERM is nginx's fast shutdown:
# it drops the publishing connection at once, which is what the interruption tests need.
#
#   stop-rtmp.sh DIR     exit 0: stopped, 2: had to SIGKILL
set -u
source "$(dirname "$(readlink -f "$0")")/peer-lib.sh"

dir=${1:-}
[[ -n "$dir" ]] || die "usage: stop-rtmp.sh DIR"
status=0
pid=$(peer_pid "$dir/rtmp.pid" nginx)
if [[ -n "$pid" ]]; then
  stop_pid "$pid" TERM 5000
  status=$?
fi
rm -f "$dir/rtmp.pid"
exit $status
