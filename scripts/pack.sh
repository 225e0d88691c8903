#!/usr/bin/env bash
# Packs the CLI as a .NET tool (command `evalharness`) into artifacts/ (or OUT_DIR):
# EvalHarness.Cli.<version>.nupkg (the package users install) plus one framework-dependent,
# ReadyToRun package per platform, EvalHarness.Cli.<rid>.<version>.nupkg, that carries only
# that platform's ONNX Runtime and SkiaSharp natives.
# Usage: scripts/pack.sh [RIDS] [OUT_DIR]   RIDS: comma-separated (default: this machine's, e.g. linux-x64)
# Then:  dotnet tool install --global EvalHarness.Cli --add-source ./artifacts
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rids="${1:-$(dotnet --info | awk '$1 == "RID:" { print $2; exit }')}"
out="${2:-$root/artifacts}"
[ -n "$rids" ] || { echo "error: could not tell this machine's runtime identifier; pass RIDS, e.g. linux-x64" >&2; exit 2; }
mkdir -p "$out"
# MSBuild wants ';' between RIDs; %3B keeps the shell and the property parser from splitting them.
dotnet pack "$root/src/EvalHarness.Cli" -c Release -o "$out" --nologo -v q \
  "-p:ToolPackageRuntimeIdentifiers=${rids//,/%3B}" "-p:RuntimeIdentifiers=${rids//,/%3B}"
ls -1 "$out"/*.nupkg
