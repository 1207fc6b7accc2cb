#!/bin/bash
# Stops the OBS started by start-obs.sh in DIR: SIGINT (a clean exit that finalises
# recordings), SIGKILL after the deadline, then its Xvfb.
#
#   stop-obs.sh DIR [--timeout-s S]     exit 0: clean exit, 2: had to SIGKILL OBS
set -u
source "$(dirname "$(readlink -f "$0")")/peer-lib.sh"

dir=${1:-}
[[ -n "$dir" ]] || die "usage: stop-obs.sh DIR [--timeout-s S]"
timeout_s=10
[[ "${2:-}" == --timeout-s ]] && timeout_s=${3:?}

status=0
obs_pid=$(peer_pid "$dir/obs.pid" obs)
if [[ -n "$obs_pid" ]]; then
  stop_pid "$obs_pid" INT $(( timeout_s * 1000 ))
  if (( $? == 2 )); then
    echo "stop-obs.sh: OBS (pid $obs_pid) ignored SIGINT for ${timeout_s} s and was killed" >&2
    status=2
  fi
fi
xvfb_pid=$(peer_pid "$dir/xvfb.pid" Xvfb)
[[ -n "$xvfb_pid" ]] && stop_pid "$xvfb_pid" TERM 2000
rm -f "$dir/obs.pid" "$dir/xvfb.pid" "$dir/xvfb.display"
exit $status
