#!/usr/bin/env bash
# Strong scaling of one search over MPI ranks: the same search (seed, batch, budget) on K ranks
# for each K given, side by side, with the wall time, speed-up, parallel efficiency and whether
# pareto.csv is byte-identical to the K = 1 run's. Then the largest K again without prefix
# routing (VITDSE_ROUTE_BY_PREFIX=0), to measure what routing buys.
#
#   bash bench/mpi_scaling.sh [VITDSE] [DATA] [BUDGET (200)] [THREADS_PER_RANK (2)] [BATCH (16)] [KS ("1 2 4 8")]
#
# VITDSE defaults to build/release/vitdse, DATA to the card's Fashion-MNIST. Each run has a
# database of its own, so nothing is answered from a cache; the front is not re-scored
# (--final-images 0). The batch must be at least the largest K: a search waits for each batch,
# so at most BATCH ranks are ever busy. Prints one Markdown table.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
vitdse=${1:-$root/build/release/vitdse}
data=${2:-}
budget=${3:-200}
threads=${4:-2}
batch=${5:-16}
read -r -a ks <<<"${6:-1 2 4 8}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

run() {  # run NAME K [ENV...]: one timed search; prints its wall seconds
  local name=$1 k=$2
  shift 2
  local args=(-q search --budget "$budget" --images 500 --final-images 0 --threads "$threads" --batch "$batch"
    --db "$work/$name.sqlite" --out "$work/$name")
  [[ -n "$data" ]] && args+=(--data "$data")
  local start end
  start=$(date +%s.%N)
  env "$@" mpirun --oversubscribe --quiet --bind-to none -n "$k" "$vitdse" "${args[@]}" >"$work/$name.out"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

row() {  # row LABEL SECONDS SAME [K]: one line of the table
  awk -v label="$1" -v t="$threads" -v s="$2" -v base="$base" -v k="${4:-$1}" -v same="$3" \
    'BEGIN { printf "| %s | %s | %.1f | %.2f | %.0f%% | %s |\n", label, t, s, base / s, 100 * base / (s * k), same }'
}

echo "| ranks K | threads per rank | wall s | speed-up | efficiency | pareto.csv as K = 1 |"
echo "|---|---|---|---|---|---|"
base=""
for k in "${ks[@]}"; do
  s=$(run "k$k" "$k")
  [[ -z "$base" ]] && base=$s
  same=$(cmp -s "$work/k${ks[0]}/pareto.csv" "$work/k$k/pareto.csv" && echo yes || echo NO)
  row "$k" "$s" "$same"
done
k=${ks[-1]}
s=$(run "k$k-unrouted" "$k" VITDSE_ROUTE_BY_PREFIX=0)
same=$(cmp -s "$work/k${ks[0]}/pareto.csv" "$work/k$k-unrouted/pareto.csv" && echo yes || echo NO)
row "$k, no prefix routing" "$s" "$same" "$k"
