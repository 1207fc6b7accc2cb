#!/bin/bash
# Prints COUNT (default 1) distinct free TCP ports on this host, one a line.
# A port is free when no socket in any state uses it; the caller should bind soon.
set -u
source "$(dirname "$(readlink -f "$0")")/peer-lib.sh"

count=${1:-1}
[[ "$count" =~ ^[1-9][0-9]*$ ]] || die "usage: free-port.sh [COUNT]"
declare -A chosen=()
tries=0
while (( ${#chosen[@]} < count )); do
  (( tries++ < 1000 )) || die "no free port found"
  port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
  [[ -z "${chosen[$port]:-}" ]] || continue
  port_in_use "$port" && continue
  chosen[$port]=1
  echo "$port"
done
