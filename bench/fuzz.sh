#!/usr/bin/env bash
# Runs every libFuzzer target on a scratch copy of its committed corpus and prints one table.
#
#   bash bench/fuzz.sh [SECONDS_PER_TARGET (60) | runs=N] [BUILD_DIR]
#
# SECONDS fuzzes each target for that long, from a random seed: a campaign. runs=N is the
# check CI runs: every committed corpus input once, then N mutations from a fixed seed, so a
# finding does not depend on the machine's speed and the same command reproduces it.
# Without BUILD_DIR it configures and builds build/fuzz (clang, ASan + UBSan, -DVITDSE_FUZZ=ON).
# Up to $(nproc) targets run at once. Exits non-zero if any target crashed, leaked, hung (> 1 s
# on one input) or ran out of memory (> 2048 MB), naming the files that reproduce it.
# VITDSE_FUZZ_WORK=DIR keeps the scratch directory (corpora, logs, artifacts) there, and a later
# run with the same DIR continues from the corpora it grew.
set -euo pipefail

budget=${1:-60}
build=${2:-}
if [[ "$budget" =~ ^runs=([0-9]+)$ ]]; then
  limit=(-runs="${BASH_REMATCH[1]}" -seed=1)
elif [[ "$budget" =~ ^[0-9]+$ ]]; then
  limit=(-max_total_time="$budget")
else
  echo "fuzz.sh: the first argument must be seconds per target or runs=N, got '$budget'" >&2
  exit 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ -z "$build" ]]; then
  build="$root/build/fuzz"
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DVITDSE_SANITIZE=ON -DVITDSE_WERROR=ON \
    -DVITDSE_BUILD_BENCH=OFF -DVITDSE_NATIVE=OFF "${launcher[@]}" -DVITDSE_FUZZ=ON >/dev/null
  cmake --build "$build" --target vitdse_fuzz_targets
fi

mapfile -t targets < <(find "$build/tests/fuzz" -maxdepth 1 -type f -name '*_fuzz' -perm -u+x -printf '%f\n' | sort)
if ((${#targets[@]} == 0)); then
  echo "fuzz.sh: no *_fuzz targets in $build/tests/fuzz (configure with -DVITDSE_FUZZ=ON)" >&2
  exit 2
fi

if [[ -n "${VITDSE_FUZZ_WORK:-}" ]]; then
  work="$VITDSE_FUZZ_WORK"
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/vitdse-fuzz.XXXXXX")
fi
# The targets find the shipped technology table and templates through VITDSE_HOME.
export VITDSE_HOME="$root"
# Leaks are findings; symbolised reports name the line.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

run_target() {
  local target=$1 name=${1%_fuzz}
  local corpus="$work/corpus/$name" artifacts="$work/artifacts/$name"
  mkdir -p "$artifacts"
  if [[ ! -d "$corpus" ]]; then
    mkdir -p "$corpus"
    cp -r "$root/tests/fuzz/corpus/$name/." "$corpus/" 2>/dev/null || true
  fi
  local dict=()
  if [[ -f "$root/tests/fuzz/$name.dict" ]]; then
    dict=(-dict="$root/tests/fuzz/$name.dict")
  elif [[ "$name" == *safetensors* ]]; then
    dict=(-dict="$root/tests/fuzz/safetensors.dict")
  fi
  local rc=0
  "$build/tests/fuzz/$target" "$corpus" "${dict[@]}" "${limit[@]}" -rss_limit_mb=2048 -timeout=1 \
    -max_len=65536 -print_final_stats=1 -close_fd_mask=1 -artifact_prefix="$artifacts/" \
    </dev/null >"$work/$name.log" 2>&1 || rc=$?
  echo "$rc" >"$work/$name.rc"
}

jobs_max=$(nproc)
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs_max)); do wait -n || true; done
  run_target "$target" &
done
wait

failed=0
printf '%-22s %12s %9s %8s %9s %8s\n' target executions exec/s cov ft crashes
for target in "${targets[@]}"; do
  name=${target%_fuzz}
  log="$work/$name.log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -1 || true)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
  mapfile -t found < <(find "$work/artifacts/$name" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' -o -name 'slow-unit-*' \) | sort)
  printf '%-22s %12s %9s %8s %9s %8s\n' "$name" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${#found[@]}"
  rc=$(cat "$work/$name.rc")
  if ((${#found[@]} > 0)) || [[ "$rc" != 0 ]]; then
    failed=1
    echo "  $name: exit $rc, log $log" >&2
    for f in "${found[@]}"; do echo "  $name: reproduce with $build/tests/fuzz/$target $f" >&2; done
  fi
done

if ((failed)); then
  echo "fuzz.sh: findings above; scratch directory kept: $work" >&2
  exit 1
fi
[[ -n "${VITDSE_FUZZ_WORK:-}" ]] || rm -rf "$work"
