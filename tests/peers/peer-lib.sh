# shellcheck shell=bash
# Shared helpers for the peer scripts (sourced, not run).

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# A process counts as alive while it exists and is not a zombie: an orphaned peer's
# zombie may linger when nothing reaps it, and it must not look like a running peer.
alive() {
  local pid=$1 state
  [[ -n "$pid" && -r /proc/$pid/stat ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

now_ms() {
  echo $(( $(date +%s%N) / 1000000 ))
}

# wait_gone PID TIMEOUT_MS: 0 when the process is gone before the deadline.
wait_gone() {
  local pid=$1 deadline=$(( $(now_ms) + $2 ))
  while alive "$pid"; do
    (( $(now_ms) < deadline )) || return 1
    sleep 0.05
  done
}

# stop_pid PID SIGNAL TIMEOUT_MS: signal, wait, then SIGKILL. Returns 2 if SIGKILL was needed.
stop_pid() {
  local pid=$1 sig=$2 timeout_ms=$3
  alive "$pid" || return 0
  kill "-$sig" "$pid" 2>/dev/null
  wait_gone "$pid" "$timeout_ms" && return 0
  kill -KILL "$pid" 2>/dev/null
  wait_gone "$pid" 2000
  return 2
}

read_pid() {
  [[ -r "$1" ]] && head -n1 "$1"
}

# port_in_use PORT: true when something on this host holds the TCP port (any state).
port_in_use() {
  local hex
  hex=$(printf '%04X' "$1")
  grep -qs -E "^ *[0-9]+: [0-9A-F]+:$hex " /proc/net/tcp /proc/net/tcp6
}

# port_listening PORT: true when a socket on this host listens on the TCP port. Sockets of
# old connections (TIME_WAIT after a crash) do not count: OBS rebinds over them.
port_listening() {
  local hex
  hex=$(printf '%04X' "$1")
  grep -qs -E "^ *[0-9]+: [0-9A-F]+:$hex [0-9A-F]+:[0-9A-F]+ 0A " /proc/net/tcp /proc/net/tcp6
}

# Escapes a value for the replacement side of a sed s|...|...| expression.
sed_escape() {
  printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

# peer_pid FILE COMM: the pid recorded in FILE when that process is still alive and is
# COMM, so a recycled pid never gets signalled.
peer_pid() {
  local pid
  pid=$(read_pid "$1") || return 1
  alive "$pid" && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$2" ]] && echo "$pid"
}
