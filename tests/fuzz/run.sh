#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS (default 60) on its corpus, after configuring and building the fuzz
# folder (clang, ASan+UBSan; VTA_FUZZ=ON) when needed. Exits 1 when a target crashed; the input that crashed it
# is kept in <fuzz folder>/crashes/<target>/ (copy it to tests/fuzz/corpus/<target>/ once fixed).
#   tests/fuzz/run.sh [SECONDS] [TARGET...]      targets: pss config manifest licence obs web (default: all)
# Environment: VTA_FUZZ_BUILD (default <repo>/build-fuzz), VTA_FUZZ_JOBS (build jobs, default nproc).
# New inputs libFuzzer finds go to <fuzz folder>/corpus/<target>/; the committed corpus is only read.
set -euo pipefail
seconds=${1:-60}
shift || true
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${VTA_FUZZ_BUILD:-$root/build-fuzz}
targets=("$@")
((${#targets[@]})) || targets=(pss config manifest licence obs web)

if [[ ! -f $build/build.ninja ]]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$root" -B "$build" -G Ninja -DVTA_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
fi
cmake --build "$build" -j "${VTA_FUZZ_JOBS:-$(nproc)}" --target "${targets[@]/#/fuzz_}" >/dev/null

status=0
for target in "${targets[@]}"; do
  work=$build/corpus/$target
  crashes=$build/crashes/$target
  log=$build/fuzz-$target.log
  mkdir -p "$work" "$crashes"
  if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" \
    -timeout=10 -print_final_stats=1 -dict="$root/tests/fuzz/$target.dict" -artifact_prefix="$crashes/" \
    "$work" "$root/tests/fuzz/corpus/$target" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
    echo "fuzz_$target: ok, $runs runs in ${seconds} s ($((runs / (seconds > 0 ? seconds : 1))) exec/s), $last"
  else
    status=1
    echo "fuzz_$target: CRASH (log $log; input kept in $crashes/):"
    grep -E 'ERROR|runtime error|fuzz check failed|Test unit written|SUMMARY' "$log" | head -8 | sed 's/^/  /'
  fi
done
exit $status
