#!/bin/bash
# Stops the mosquitto start-mosquitto.sh started for DIR: SIGTERM (it saves its persistence), SIGKILL after 5 s
# (exit 2); with --kill, SIGKILL at once, as a crash: what it had not saved yet is lost.
#
#   stop-mosquitto.sh DIR [--kill]
set -u
source "$(dirname "$(readlink -f "$0")")/peer-lib.sh"
[[ $# -eq 1 || ( $# -eq 2 && "$2" == "--kill" ) ]] || die "usage: stop-mosquitto.sh DIR [--kill]"
pid=$(peer_pid "$1/mosquitto.pid" mosquitto) || exit 0
status=0
if [[ $# -eq 2 ]]; then
  kill -KILL "$pid" 2>/dev/null
  wait_gone "$pid" 2000 || status=1
else
  stop_pid "$pid" TERM 5000
  status=$?
fi
rm -f "$1/mosquitto.pid"
exit "$status"
