#!/bin/bash
# Starts nginx with the RTMP module as a local ingest for OBS: 127.0.0.1 only, its own
# prefix, config, pid and logs in DIR (never /etc/nginx), application `live`.
# OBS publishes to rtmp://127.0.0.1:P/live with the key `vta`.
#
#   start-rtmp.sh --port P --dir DIR [--timeout-s S]
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
command -v nginx >/dev/null || die "nginx is not installed (Debian package nginx)"
module=/usr/lib/nginx/modules/ngx_rtmp_module.so
[[ -r "$module" ]] || die "$module missing (Debian package libnginx-mod-rtmp)"

mkdir -p "$dir/logs" || die "cannot create $dir"
dir=$(readlink -f "$dir")
running=$(peer_pid "$dir/rtmp.pid" nginx) && die "an nginx is already running for $dir (pid $running)"
port_listening "$port" && die "port $port is already in use"

# One process (no master/worker split, no daemon): its pid is the one to signal.
cat >"$dir/nginx.conf" <<CONF
load_module $module;
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log info;
events { worker_connections 64; }
rtmp {
  server {
    listen 127.0.0.1:$port;
    chunk_size 4096;
    application live {
      live on;
      record off;
      allow publish 127.0.0.1;
      deny publish all;
      allow play 127.0.0.1;
      deny play all;
    }
  }
}
CONF

started_ms=$(now_ms)
nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log" \
  </dev/null >"$dir/nginx.stdout" 2>&1 &
pid=$!
disown "$pid"
echo "$pid" >"$dir/rtmp.pid"

deadline=$(( started_ms + timeout_s * 1000 ))
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  if ! alive "$pid" || (( $(now_ms) >= deadline )); then
    stop_pid "$pid" KILL 1000
    rm -f "$dir/rtmp.pid"
    die "nginx-rtmp not listening on 127.0.0.1:$port within ${timeout_s} s:
$(tail -n 20 "$dir/nginx.stdout" "$dir/logs/error.log" 2>/dev/null)"
  fi
  sleep 0.02
done
echo "rtmp ready: pid=$pid url=rtmp://127.0.0.1:$port/live ready_ms=$(( $(now_ms) - started_ms ))"
