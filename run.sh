#!/usr/bin/env bash
# Installs any missing Debian package, builds, and runs the host: `./run.sh` is `vta run` with the
# embedded defaults; `./run.sh <command> [options]` runs any other vta command (see `./run.sh --help`).
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh build >&2
if (($# == 0)); then set -- run; fi
exec build/vta "$@"
