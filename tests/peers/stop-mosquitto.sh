#!/bin/bash
# Stops the mosquitto start-mosquitto.sh started for DIR (SIGTERM, SIGKILL after 5 s: exit 2).
#
#   stop-mosquitto.sh DIR
set -u
source "$(dirname "$(readlink -f "$0")")/peer-lib.sh"
[[ $# -eq 1 ]] || die "usage: stop-mosquitto.sh DIR"
pid=$(peer_pid "$1/mosquitto.pid" mosquitto) || exit 0
stop_pid "$pid" TERM 5000
status=$?
rm -f "$1/mosquitto.pid"
exit "$status"
