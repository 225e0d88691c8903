#!/usr/bin/env bash
# Cold-process wall times of the evaluator, median of N fresh processes each (RUNS, default 5):
# `--help` (bare process start), `evaluate` on the full val dump (AP only) and `evaluate --out`.
# Runs the ReadyToRun CLI that ./evalharness publishes (published once first, not timed) and
# warms the ground-truth cache once, so every timed run is a cold process on a warm file cache.
# Usage: scripts/bench-evaluate.sh [PRED_DIR] [GT_DIR]   (defaults: the shared RetinaFace dump and WIDER root)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"
pred="${1:-${WIDERFACE_PREDICTIONS:-$root/../shared/predictions}/retinaface-mnet0.25-selftrained}"
gt="${2:-${WIDERFACE_ROOT:-$root/../shared/widerface}}"
[ -d "$pred" ] || { echo "error: prediction folder not found: $pred" >&2; exit 2; }
[ -d "$gt" ] || { echo "error: ground truth not found: $gt" >&2; exit 2; }

"$root/evalharness" --help >/dev/null
cli=(dotnet "$root/src/EvalHarness.Cli/bin/Release/app/EvalHarness.Cli.dll")
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"${cli[@]}" evaluate --pred "$pred" --gt "$gt" >/dev/null   # fills the ground-truth cache

# Median and all samples (seconds) of `runs` fresh processes of the given command.
measure() {
  local samples=() start end
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    samples+=("$(( (end - start) / 1000000 ))")
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk -v n="$runs" '
    { v[NR] = $1 }
    END { m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
          s = ""; for (i = 1; i <= NR; i++) s = s sprintf(" %.3f", v[i] / 1000)
          printf "%8.3f   %s\n", m / 1000, s }'
}

echo "machine: $(nproc) cores, load average$(uptime | sed 's/.*load average//')"
echo "cold runs: $runs each; times in seconds (median, then every run sorted)"
printf '%-22s %8s   %s\n' "command" "median" "runs"
printf '%-22s ' "--help";             measure "${cli[@]}" --help
printf '%-22s ' "evaluate (AP only)"; measure "${cli[@]}" evaluate --pred "$pred" --gt "$gt"
printf '%-22s ' "evaluate --out";     measure "${cli[@]}" evaluate --pred "$pred" --gt "$gt" --out "$out"
