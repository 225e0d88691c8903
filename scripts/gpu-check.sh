#!/usr/bin/env bash
# Packs the GPU self-check for a machine with a GPU and no .NET SDK, or runs it.
#
#   scripts/gpu-check.sh pack [OUT.tar.xz]   publish a trimmed self-contained linux-x64 evalharness
#                                            (gpu-check verb) + run-gpu-check.sh into a .tar.xz
#   scripts/gpu-check.sh run OUTDIR [ARGS]   run the check from this checkout (dotnet run)
#
# On the GPU machine:  tar xJf gpu-check.tar.xz && gpu-check/run-gpu-check.sh results/gpu [gpu-check options]
# It checks GPU == scalar on synthetic maps (1k..256k candidates, batches of 1..256 images), then
# times kernel-only and end-to-end (warm-up, median, p90) into OUTDIR/gpu-check.csv.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

pack() {
    local out="${1:-artifacts/gpu-check.tar.xz}"
    local stage="artifacts/gpu-check"
    rm -rf "$stage"
    mkdir -p "$stage"
    # Trimmed (ILGPU, ILGPU.Algorithms and CoreLib kept whole, see gpu-check.trim.targets) so the
    # runtime fits the ~20 MB budget; invariant globalization is already on for the solution.
    dotnet publish src/EvalHarness.Cli -c Release -r linux-x64 --self-contained true --nologo -v q \
        -p:PublishTrimmed=true -p:TrimMode=full -p:SuppressTrimAnalysisWarnings=true -p:DebugType=none \
        -p:CustomAfterMicrosoftCommonTargets="$root/scripts/gpu-check.trim.targets" \
        -o "$stage/evalharness"
    # gpu-check needs neither the ONNX runtime nor the chart renderer, nor the debugger/tracing
    # support libraries: leave their native libraries out of the package.
    rm -f "$stage"/evalharness/libonnxruntime*.so "$stage"/evalharness/libSkiaSharp.so "$stage"/evalharness/libHarfBuzzSharp.so \
          "$stage"/evalharness/libmscordaccore.so "$stage"/evalharness/libmscordbi.so "$stage"/evalharness/libcoreclrtraceptprovider.so \
          "$stage"/evalharness/*.pdb "$stage"/evalharness/createdump
    cp scripts/run-gpu-check.sh "$stage/run-gpu-check.sh"
    chmod +x "$stage/run-gpu-check.sh" "$stage/evalharness/EvalHarness.Cli"
    mkdir -p "$(dirname "$out")"
    tar -C artifacts -cJf "$out" gpu-check
    echo "$out: $(du -h "$out" | cut -f1) ($(du -sh "$stage" | cut -f1) unpacked)"
}

case "${1:-}" in
    pack) shift; pack "$@" ;;
    run) shift; out="${1:?usage: $0 run OUTDIR [gpu-check options]}"; shift
         exec dotnet run --project src/EvalHarness.Cli -c Release -- gpu-check --out "$out" "$@" ;;
    *) echo "usage: $0 pack [OUT.tar.xz] | run OUTDIR [gpu-check options]" >&2; exit 2 ;;
esac
