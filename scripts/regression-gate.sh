#!/usr/bin/env bash
# The regression gate of .ci/run and the bench workflow: this checkout's quick suite against the
# committed baseline results/baseline/quick.
#  * AP, detection hashes and row status are compared with the committed baseline: the suite is
#    deterministic, so any difference is a change.
#  * Latency is compared with the baseline's own commit (git_commit in its env.json), built and run
#    here, on this machine, next to this checkout's run. Timings recorded on another machine differ
#    in the balance between kernels, which no normalisation removes: one CI runner timed soft-NMS on
#    simd 1.67x (linear) and 1.46x (gaussian) slower relative to nms on scalar than the machine
#    that recorded the baseline did, every other row within 14 %, where the same two commits side
#    by side on one machine differ by at most 24 % in those rows. Without that commit (a shallow clone) the
#    gate says so and falls back to the baseline's own timings.
#  * A regression of latency only is confirmed by a second pair of runs, in the other order; only
#    what the second pair shows fails (a burst of load on a shared runner rarely lasts both).
# Usage: scripts/regression-gate.sh [OUT]   (OUT: the current run's folder, default results/ci-quick)
# Exit: 0 no regression, 1 regression, 2 a run could not be made.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-results/ci-quick}"
baseline=results/baseline/quick
threshold="${GATE_LATENCY_THRESHOLD:-0.5}"

work="$(mktemp -d)"
# The reference checkout lives inside this one, so that the two runs differ in nothing but their
# code. Whole runs on this machine kind sometimes come out uniformly about 1.3x slower (nms on
# scalar 5.8-6.0 ms against 4.4-4.8 ms for the same build): 4 of 4 reference runs from under
# /tmp, 1 of 4 from inside the checkout; cause not found. Latency is normalised by the reference
# row within each run, which absorbs such a uniform factor (the compare prints it as the machine factor).
base_tree="$PWD/.gate/base-$$"
cleanup() {
  git worktree remove --force "$base_tree" >/dev/null 2>&1
  rmdir .gate 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

commit="$(sed -n 's/^ *"git_commit": *"\([0-9a-f]\{40\}\)".*/\1/p' "$baseline/env.json")"
have_base=0
if [ -z "$commit" ]; then
  echo "gate: $baseline/env.json names no commit; latency is compared with the baseline's own timings (another machine's)"
elif ! git cat-file -e "$commit^{commit}" 2>/dev/null; then
  echo "gate: the baseline's commit $commit is not in this clone (shallow?); latency is compared with the baseline's own timings (another machine's)"
elif ! git worktree add --detach -q "$base_tree" "$commit"; then
  echo "gate: could not check out the baseline's commit $commit; latency is compared with the baseline's own timings (another machine's)"
else
  have_base=1
fi

# The baseline's commit, run on this machine into $1 (its console output goes to a log).
run_base() {
  rm -rf "$1"
  echo "gate: quick suite at the baseline's commit ${commit:0:7} (latency reference) → $1"
  if ! (cd "$base_tree" && ./evalharness run --out "$1") > "$1.log" 2>&1; then
    tail -20 "$1.log"
    echo "gate: the baseline's commit did not run; latency is compared with the baseline's own timings (another machine's)"
    have_base=0
  fi
}

run_current() {
  rm -rf "$1"
  ./evalharness run --out "$1" || { echo "gate: evalharness run (quick) failed"; exit 2; }
}

compare() {
  local current="$1" reference=()
  [ "$have_base" = 1 ] && reference=(--latency-baseline "$2")
  ./evalharness compare "$baseline" "$current" --latency-threshold "$threshold" "${reference[@]}"
}

# True when compare.md lists regressions and every one is a latency row.
latency_only() {
  local md="$1/compare.md"
  grep -qF '**REGRESSION**' "$md" && ! grep -F '**REGRESSION**' "$md" | grep -vqF '| latency_norm |'
}

[ "$have_base" = 1 ] && run_base "$work/base-1"
run_current "$out"
compare "$out" "$work/base-1"
rc=$?
if [ "$rc" = 1 ] && latency_only "$out"; then
  echo "gate: latency regression(s) only; confirming with a second pair of runs (this checkout first, then the reference)"
  run_current "$out-confirm"
  [ "$have_base" = 1 ] && run_base "$work/base-2"
  compare "$out-confirm" "$work/base-2"
  rc=$?
  [ "$rc" = 0 ] && echo "gate: the second pair shows no regression: the first was noise (both compare.md files are kept: $out, $out-confirm)"
fi
exit "$rc"
