#!/usr/bin/env bash
# Runs the packed GPU self-check (see scripts/gpu-check.sh). Usage: run-gpu-check.sh OUTDIR [gpu-check options]
# Defaults: 1k..256k candidates, batches of 1, 16 and 256 images (batches above 16.8M candidates
# skipped), every variant, 2 warm-up and 10 timed runs. Exit code 1 when any check differs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: run-gpu-check.sh OUTDIR [gpu-check options]}"
shift
mkdir -p "$out"
if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/nvidia-smi.csv" 2>&1 || true
fi
export DOTNET_gcServer=0
set +e
"$here/evalharness/EvalHarness.Cli" gpu-check --out "$out" --warmup 2 --repeats 10 "$@" 2>&1 | tee "$out/gpu-check.log"
status=${PIPESTATUS[0]}
set -e
exit "$status"
