#!/bin/bash
# Starts a Mosquitto MQTT broker for the courts' bus tests: 127.0.0.1 only, its generated config, pid and log in
# DIR (never /etc/mosquitto), anonymous clients. Persistence in DIR: a broker stopped with SIGTERM keeps its
# retained messages and persistent sessions across a restart; one killed with SIGKILL loses them.
#
#   start-mosquitto.sh --port P --dir DIR [--timeout-s S]
set -u
here=$(dirname "$(readlink -f "$0")")
source "$here/peer-lib.sh"

port="" dir="" timeout_s=5
while (( $# )); do
  case "$1" in
    --port) port=$2 ;;
    --dir) dir=$2 ;;
    --timeout-s) timeout_s=$2 ;;
    *) die "unknown argument: $1" ;;
  esac
  shift 2 || die "missing value for $1"
done
[[ "$port" =~ ^[0-9]+$ ]] || die "--port P is required"
[[ -n "$dir" ]] || die "--dir DIR is required"
broker=$(command -v mosquitto || echo /usr/sbin/mosquitto)
[[ -x "$broker" ]] || die "mosquitto is not installed (Debian package mosquitto)"

mkdir -p "$dir" || die "cannot create $dir"
dir=$(readlink -f "$dir")
running=$(peer_pid "$dir/mosquitto.pid" mosquitto) && die "a mosquitto is already running for $dir (pid $running)"
port_listening "$port" && die "port $port is already in use"

cat >"$dir/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $dir/
log_dest file $dir/mosquitto.log
log_type error
log_type warning
log_type notice
log_type information
CONF

started_ms=$(now_ms)
"$broker" -c "$dir/mosquitto.conf" </dev/null >"$dir/mosquitto.stdout" 2>&1 &
pid=$!
disown "$pid"
echo "$pid" >"$dir/mosquitto.pid"

deadline=$(( started_ms + timeout_s * 1000 ))
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  if ! alive "$pid" || (( $(now_ms) >= deadline )); then
    stop_pid "$pid" KILL 1000
    rm -f "$dir/mosquitto.pid"
    die "mosquitto not listening on 127.0.0.1:$port within ${timeout_s} s:
$(tail -n 20 "$dir/mosquitto.stdout" "$dir/mosquitto.log" 2>/dev/null)"
  fi
  sleep 0.02
done
echo "mosquitto ready: pid=$pid port=$port ready_ms=$(( $(now_ms) - started_ms ))"
