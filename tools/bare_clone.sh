#!/usr/bin/env bash
# The README's two commands, in order, on a fresh clone of this repository's HEAD in a temporary folder with nothing beside it
# (no ../shared): what a new user who clones the repository does. The commands are read from README.md itself, so the check
# cannot drift from what the README says. Ends with the test command's line `nbdev-test: N passed, M failed`.
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q "$src" "$tmp/face_context" || exit 1
cd "$tmp/face_context" || exit 1
if [ -e ../shared ]; then echo "bare clone check: $tmp/shared exists, so the check would not be bare"; exit 1; fi
cmds=$(sed -n '/^```sh$/,/^```$/p' README.md | grep -v '^```')
[ "$(echo "$cmds" | wc -l)" -eq 2 ] || { echo "bare clone check: README.md's first sh block must hold exactly two commands"; exit 1; }
install=$(echo "$cmds" | sed -n 1p); run_tests=$(echo "$cmds" | sed -n 2p)
echo "== README command 1, in a bare clone at $tmp/face_context: $install"
bash -c "$install" || { echo "bare clone check: README command 1 failed"; exit 1; }
echo "== README command 2: $run_tests"
bash -c "$run_tests"
