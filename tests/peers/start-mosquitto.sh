#!/bin/bash
# Starts Mosquitto as the courts' broker for tests: 127.0.0.1 only, anonymous, its config, pid, log and
# persistence in DIR. Sessions keep any number of QoS 1 messages for a subscriber that is away
# (max_queued_messages 0), as a tournament's broker should.
#
# With --secure: TLS only (a CA made on the first start, DIR/ca.pem, and a certificate for 127.0.0.1) and no
# anonymous client, each --user NAME:PASSWORD allowed.
#
#   start-mosquitto.sh --port P --dir DIR [--timeout-s S] [--secure --user NAME:PASSWORD...]
set -u
here=$(dirname "$(readlink -f "$0")")
source "$here/peer-lib.sh"

port="" dir="" timeout_s=5 secure=0 users=()
while (( $# )); do
  case "$1" in
    --secure) secure=1; shift; continue ;;
    --user) users+=("$2") ;;
    --port) port=$2 ;;
    --dir) dir=$2 ;;
    --timeout-s) timeout_s=$2 ;;
    *) die "unknown argument: $1" ;;
  esac
  shift 2 || die "missing value for $1"
done
[[ "$port" =~ ^[0-9]+$ ]] || die "--port P is required"
[[ -n "$dir" ]] || die "--dir DIR is required"
command -v mosquitto >/dev/null || die "mosquitto is not installed (Debian package mosquitto)"

mkdir -p "$dir" || die "cannot create $dir"
dir=$(readlink -f "$dir")
running=$(peer_pid "$dir/mosquitto.pid" mosquitto) && die "a mosquitto is already running for $dir (pid $running)"
port_listening "$port" && die "port $port is already in use"

access="allow_anonymous true"
if (( secure )); then
  command -v openssl >/dev/null || die "openssl is not installed (Debian package openssl)"
  if [[ ! -f "$dir/ca.pem" ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=vta test CA" \
      -keyout "$dir/ca.key" -out "$dir/ca.pem" >/dev/null 2>&1 || die "openssl could not make the CA"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/server.key" -out "$dir/server.csr" \
      >/dev/null 2>&1 || die "openssl could not make the server key"
    printf 'subjectAltName=IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost\n' >"$dir/server.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
      -extfile "$dir/server.ext" -out "$dir/server.pem" >/dev/null 2>&1 || die "openssl could not sign the certificate"
  fi
  : >"$dir/passwords"
  for user in "${users[@]}"; do
    mosquitto_passwd -b "$dir/passwords" "${user%%:*}" "${user#*:}" || die "mosquitto_passwd refused $user"
  done
  access="allow_anonymous false
password_file $dir/passwords
cafile $dir/ca.pem
certfile $dir/server.pem
keyfile $dir/server.key"
fi

# Run as root (the tests are), mosquitto would switch to its own user and lose DIR: it stays who it is.
cat >"$dir/mosquitto.conf" <<CONF
user $(id -un)
listener $port 127.0.0.1
$access
persistence true
persistence_location $dir/
autosave_interval 1
max_queued_messages 0
log_dest file $dir/mosquitto.log
log_type error
log_type warning
log_type notice
CONF

started_ms=$(now_ms)
mosquitto -c "$dir/mosquitto.conf" </dev/null >"$dir/mosquitto.stdout" 2>&1 &
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
