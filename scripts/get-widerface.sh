#!/usr/bin/env bash
# Fetches WIDER FACE (val split + annotations + official evaluation ground truth) into a folder
# and verifies the SHA-256 of every annotation and ground-truth file.
#
#   scripts/get-widerface.sh [DEST]              download (needs internet), default DEST=datasets/widerface
#   scripts/get-widerface.sh --from DIR [DEST]   link an existing copy (e.g. ../shared/widerface) and verify it
#
# WIDER FACE is for non-commercial research only (CC BY-NC-ND 4.0 on the Hugging Face mirror);
# nothing of it is ever committed to this repository. Cite Yang et al., CVPR 2016.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
from=""
if [ "${1:-}" = "--from" ]; then from="$2"; shift 2; fi
dest="${1:-$root/datasets/widerface}"

# SHA-256 of the official files (wider_face_split.zip contents and eval_tools ground truth).
read -r -d '' SUMS <<'SUMS' || true
1dfe6a9853950f9dde256b5e8bb75d8f272e6bc02a15ae1968f5a9b883f458cb  eval_tools/ground_truth/wider_face_val.mat
c2fb672d16f75653eb89fb8bc437a7d060896a71cd7a65c1a5a3e4479024099c  eval_tools/ground_truth/wider_easy_val.mat
4a031970bc132cef5cfacd05068aabcf4fe15d4a31a1e9f4f00eb134fdf449c1  eval_tools/ground_truth/wider_medium_val.mat
bb1af19dc5bc4dd9517dd8ae8096326c68175f2c3411763bdd4f23fa98638b78  eval_tools/ground_truth/wider_hard_val.mat
1dfe6a9853950f9dde256b5e8bb75d8f272e6bc02a15ae1968f5a9b883f458cb  wider_face_split/wider_face_val.mat
49fe14265426fbd5e4a8355f91717150fa26986029545fc7af20ea642f71d6fa  wider_face_split/wider_face_train.mat
5efe15956d675ebc738bd4e9e249ca18d4a41866b5c40aa87c48225656636895  wider_face_split/wider_face_test.mat
5ca83488f72758ca4826c35212610a8abf04a7af7b17eb407d6284007baba3b6  wider_face_split/wider_face_val_bbx_gt.txt
5ce69938c5149eff5ab814d737f9095c129fe42a86e672c94024f86fc879ae6d  wider_face_split/wider_face_test_filelist.txt
SUMS

verify() {
  local dir="$1" bad=0
  while read -r sum file; do
    [ -n "$sum" ] || continue
    if [ ! -f "$dir/$file" ]; then echo "missing: $dir/$file"; bad=1; continue; fi
    actual=$(sha256sum "$dir/$file" | cut -d' ' -f1)
    if [ "$actual" != "$sum" ]; then echo "checksum mismatch: $dir/$file"; bad=1; fi
  done <<<"$SUMS"
  local images
  images=$(find "$dir/WIDER_val/images" -name '*.jpg' 2>/dev/null | wc -l)
  echo "val images present: $images of 3226"
  return $bad
}

if [ -n "$from" ]; then
  mkdir -p "$(dirname "$dest")"
  [ -e "$dest" ] || ln -s "$(cd "$from" && pwd)" "$dest"
  verify "$dest" && echo "ok: $dest (linked to $from)"
  exit
fi

mirror="https://huggingface.co/datasets/CUHK-CSE/wider_face/resolve/main/data"
eval_tools="http://shuoyang1213.me/WIDERFACE/support/eval_script/eval_tools.zip"
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for zip in WIDER_val.zip wider_face_split.zip; do
  echo "downloading $zip"
  curl -fL --retry 3 -o "$tmp/$zip" "$mirror/$zip"
  unzip -q -o "$tmp/$zip" -d "$dest"
done
echo "downloading eval_tools.zip"
curl -fL --retry 3 -o "$tmp/eval_tools.zip" "$eval_tools"
unzip -q -o "$tmp/eval_tools.zip" -d "$tmp/et"
mkdir -p "$dest/eval_tools/ground_truth"
find "$tmp/et" -name 'wider_*_val.mat' -exec cp {} "$dest/eval_tools/ground_truth/" \;
verify "$dest" && echo "ok: $dest"
