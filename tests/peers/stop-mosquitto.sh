#!/bin/bash
# Stops the mosquitto started by start-mosquitto.sh in DIR: SIGTERM, or with --kill SIGKILL (a crashed broker).
#
#   stop-mosquitto.sh DIR [--kill]     exit 0: stopped, 2: had to SIGKILL after SIGTERM
set -u
source "$(dirname "$(readlink -f "$0")")/peer-lib.sh"

dir=${1:-}
[[ -n "$dir" ]] || die "usage: stop-mosquitto.sh DIR [--kill]"
signal=TERM
[[ "${2:-}" == "--kill" ]] && signal=KILL
status=0
pid=$(peer_pid "$dir/mosquitto.pid" mosquitto)
if [[ -n "$pid" ]]; then
  stop_pid "$pid" "$signal" 5000
  status=$?
  [[ "$signal" == KILL ]] && status=0
fi
rm -f "$dir/mosquitto.pid"
exit $status
