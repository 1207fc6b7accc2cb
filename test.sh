#!/usr/bin/env bash
# Installs any missing Debian package, builds everything, and runs the whole test suite (unit tests,
# integration tests against real UDP, OBS Studio, nginx-rtmp and mpv). Benchmarks are separate:
# `cmake --build build --target benchmarks` (see README.md).
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh build
cd build
ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@"
