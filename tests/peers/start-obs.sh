#!/bin/bash
# Starts a real, headless OBS Studio for tests and waits until an authenticated
# obs-websocket Identify succeeds.
#
#   start-obs.sh --port P --password W --home DIR [--record-dir D]
#                [--rtmp-url URL] [--rtmp-key KEY] [--fps N] [--probe PATH] [--timeout-s S]
#
# DIR holds everything: the throw-away HOME (DIR/home, templated from obs-headless/ on
# first start and kept across restarts, like a real machine), a private Xvfb display,
# obs.pid, xvfb.pid, obs.stdout and ready_ms. The probe (build target obs_ready_probe,
# or $VTA_OBS_READY_PROBE) is run as `PROBE --port P --password W --timeout-ms N` and
# exits 0 once Identified, 3 when the password is rejected.
set -u
here=$(dirname "$(readlink -f "$0")")
source "$here/peer-lib.sh"

port="" password="" dir="" record_dir="" timeout_s=20 fps=30
rtmp_url="rtmp://127.0.0.1:1935/live" rtmp_key="vta"
probe=${VTA_OBS_READY_PROBE:-}
while (( $# )); do
  case "$1" in
    --port) port=$2 ;;
    --password) password=$2 ;;
    --home) dir=$2 ;;
    --record-dir) record_dir=$2 ;;
    --rtmp-url) rtmp_url=$2 ;;
    --rtmp-key) rtmp_key=$2 ;;
    --fps) fps=$2 ;;
    --probe) probe=$2 ;;
    --timeout-s) timeout_s=$2 ;;
    *) die "unknown argument: $1" ;;
  esac
  shift 2 || die "missing value for $1"
done
[[ "$port" =~ ^[0-9]+$ ]] || die "--port P is required"
[[ -n "$password" ]] || die "--password W is required"
[[ "$fps" =~ ^[0-9]+$ ]] && (( fps >= 1 && fps <= 120 )) || die "--fps N takes a whole number of frames per second from 1 to 120"
[[ -n "$dir" ]] || die "--home DIR is required"
[[ -n "$probe" && -x "$probe" ]] || die "no ready probe: pass --probe PATH or set VTA_OBS_READY_PROBE (build target obs_ready_probe)"
command -v obs >/dev/null || die "obs is not installed (Debian package obs-studio)"
command -v Xvfb >/dev/null || die "Xvfb is not installed (Debian package xvfb)"

mkdir -p "$dir" || die "cannot create $dir"
dir=$(readlink -f "$dir")
record_dir=${record_dir:-$dir/rec}
mkdir -p "$record_dir" || die "cannot create $record_dir"
record_dir=$(readlink -f "$record_dir")
running=$(peer_pid "$dir/obs.pid" obs) && die "an OBS is already running for $dir (pid $running)"
port_listening "$port" && die "port $port is already in use"

home=$dir/home
{ mkdir -p "$dir/runtime" && chmod 0700 "$dir/runtime"; } || die "cannot create $dir/runtime"
config=$home/.config/obs-studio
if [[ ! -d "$config" ]]; then
  { mkdir -p "$config" && cp -r "$here/obs-headless/." "$config/"; } || die "cannot copy the profile into $config"
  for file in "$config/global.ini" "$config/basic/profiles/VTA/basic.ini" "$config/basic/profiles/VTA/service.json"; do
    sed -i -e "s|@WS_PORT@|$port|g" \
           -e "s|@WS_PASSWORD@|$(sed_escape "$password")|g" \
           -e "s|@RECORD_DIR@|$(sed_escape "$record_dir")|g" \
           -e "s|@RTMP_SERVER@|$(sed_escape "$rtmp_url")|g" \
           -e "s|@RTMP_KEY@|$(sed_escape "$rtmp_key")|g" \
           -e "s|@FPS@|$fps|g" "$file" || die "cannot template $file"
  done
fi

# An Xvfb left behind by an OBS that was killed belongs to this DIR: end it first.
stale_xvfb=$(peer_pid "$dir/xvfb.pid" Xvfb)
[[ -n "$stale_xvfb" ]] && stop_pid "$stale_xvfb" TERM 2000

started_ms=$(now_ms)

# A private display per instance: -displayfd lets Xvfb pick a free number itself, so two
# instances started at once never race for the same display.
rm -f "$dir/xvfb.display"
Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp -noreset \
  3>"$dir/xvfb.display" </dev/null >"$dir/xvfb.log" 2>&1 &
xvfb_pid=$!
disown "$xvfb_pid"
echo "$xvfb_pid" >"$dir/xvfb.pid"
deadline=$(( started_ms + 5000 ))
until [[ -s "$dir/xvfb.display" ]]; do
  alive "$xvfb_pid" || die "Xvfb exited: $(tail -n 20 "$dir/xvfb.log")"
  (( $(now_ms) < deadline )) || { stop_pid "$xvfb_pid" TERM 1000; die "Xvfb gave no display within 5 s"; }
  sleep 0.02
done
display=:$(head -n1 "$dir/xvfb.display")

log_tail() {
  local latest
  echo "--- $dir/obs.stdout (tail) ---"
  tail -n 15 "$dir/obs.stdout" 2>/dev/null
  latest=$(find "$config/logs" -name "*.txt" -printf "%T@ %p\n" 2>/dev/null | sort -rn | head -n1 | cut -d" " -f2-)
  if [[ -n "$latest" ]]; then
    echo "--- $latest (tail) ---"
    tail -n 40 "$latest"
  fi
}

fail() {
  echo "start-obs.sh: $*" >&2
  log_tail >&2
  stop_pid "$obs_pid" KILL 2000
  stop_pid "$xvfb_pid" TERM 2000
  rm -f "$dir/obs.pid" "$dir/xvfb.pid"
  exit 1
}

(
  cd "$dir" || exit 1
  exec env HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_RUNTIME_DIR="$dir/runtime" DISPLAY="$display" \
    LIBGL_ALWAYS_SOFTWARE=1 QT_QPA_PLATFORM=xcb \
    obs --multi --minimize-to-tray --disable-missing-files-check \
        --profile VTA --collection VTA \
        --websocket_port "$port" --websocket_password "$password"
) </dev/null >>"$dir/obs.stdout" 2>&1 &
obs_pid=$!
disown "$obs_pid"
echo "$obs_pid" >"$dir/obs.pid"

deadline=$(( started_ms + timeout_s * 1000 ))
while :; do
  alive "$obs_pid" || fail "OBS exited during start-up"
  "$probe" --port "$port" --password "$password" --timeout-ms 1000 >"$dir/probe.out" 2>&1
  case $? in
    0) break ;;
    3) fail "OBS rejected the password: $(cat "$dir/probe.out")" ;;
  esac
  (( $(now_ms) < deadline )) || fail "OBS not ready within ${timeout_s} s: $(cat "$dir/probe.out")"
  sleep 0.05
done

ready_ms=$(( $(now_ms) - started_ms ))
echo "$ready_ms" >"$dir/ready_ms"
echo "obs ready: pid=$obs_pid port=$port display=$display ready_ms=$ready_ms home=$home record_dir=$record_dir"
