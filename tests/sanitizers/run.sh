#!/usr/bin/env bash
# The suite under sanitizers, each in a build folder of its own (README, "Sanitizers"):
#   tests/sanitizers/run.sh address [CTEST-ARGS...]   every test, AddressSanitizer + UndefinedBehaviorSanitizer
#   tests/sanitizers/run.sh thread                    the threaded parts (writer, io, panel and bus threads) under
#                                                     ThreadSanitizer: their test binaries, run one by one
# Needs what ./setup.sh installs. Any sanitizer report fails the test that triggered it (-fno-sanitize-recover,
# halt_on_error); child processes (`vta` started by the tests) are built and checked the same way.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
kind=${1:?usage: run.sh address|thread [ctest args]}
shift
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

configure() {  # folder, sanitizers
  # -O1 -g1: sanitizer reports with lines, cheaper to build than -O2 -g.
  cmake -S "$root" -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DVTA_SANITIZE="$2" -DVTA_FUZZ_SMOKE=OFF "${launcher[@]}" >/dev/null
}

case $kind in
address)
  build=${VTA_ASAN_BUILD:-$root/build-asan}
  configure "$build" address,undefined
  cmake --build "$build" -j "$(nproc)"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
  export LSAN_OPTIONS=suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  cd "$build" && ctest --output-on-failure --timeout 1800 -j "$(nproc)" "$@"
  ;;
thread)
  build=${VTA_TSAN_BUILD:-$root/build-tsan}
  # The writer thread (store), the io thread with the writer and the workers (host), the panel thread (ui),
  # the courts' bus threads (libmosquitto's loop in the court host and in the tournament side, real Mosquitto).
  binaries=(tests/store/store_tests tests/host/host_tests tests/ui-fltk/ui_panel_tests tests/courts/courts_tests
    tests/tournament/tournament_tests)
  configure "$build" thread
  targets=(vta vta-test)
  for b in "${binaries[@]}"; do targets+=("$(basename "$b")"); done
  cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
  status=0
  for b in "${binaries[@]}"; do
    echo "== $b"
    (cd "$build/$(dirname "$b")" && "$build/$b" --gtest_brief=1 "$@") || status=1
  done
  exit $status
  ;;
*)
  echo "run.sh: unknown sanitizer \"$kind\": expected address or thread" >&2
  exit 2
  ;;
esac
