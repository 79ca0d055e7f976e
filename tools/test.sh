#!/usr/bin/env bash
# Install face_context with its dev extras, check notebooks and library are in step, run every notebook's tests.
# Ends with a line `nbdev-test: N passed, M failed` counting notebooks.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1 MPLBACKEND=Agg
echo "== install"
"$PY" -m pip install -q torch==2.14.1 torchvision==0.29.1 || exit 1
"$PY" -m pip install -q -e ".[dev]" || exit 1
"$PY" -m pip install -q -e ".[ray,distributed]" || exit 1   # the scale notebook runs Ray Data and a two-process DDP step
# face_recognition is only for the parity tests: --no-deps keeps pip from building dlib from source.
"$PY" -m pip install -q --no-deps face_recognition || exit 1
echo "== notebooks and library in step"
# compare the tree before and after, so that only what these three change counts (not a user's own untracked files)
snap() { git status --porcelain --untracked-files=all; git diff | sha1sum; }
before=$(snap)
nbdev-clean && nbdev-export || exit 1
"$PY" tools/readme.py || exit 1
if [ "$(snap)" != "$before" ]; then
  echo "nbdev-clean/nbdev-export/readme changed files; commit them:"; diff <(echo "$before") <(snap); exit 1
fi
echo "== nbdev-test"
log=$(mktemp)
nbdev-test --do-print --timing "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
total=$(grep -o 'Starting ' "$log" | wc -l)   # parallel workers can print two Starting lines on one line
failed=$(awk '/nbdev Tests Failed On The Following Notebooks/{f=1;next} f && /^\t/{c++} END{print c+0}' "$log")
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "== docs site and JupyterLab, in headless Chromium"
"$PY" -m pip install -q playwright || exit 1
[ -x /usr/bin/chromium ] || { apt-get update -qq && apt-get install -y -qq chromium; } || exit 1
for t in tools/site_test.py tools/lab_test.py; do   # each counts as one test beside the notebooks
  total=$((total+1))
  "$PY" "$t" || { failed=$((failed+1)); rc=1; echo "FAILED: $t"; }
done
echo "nbdev-test: $((total-failed)) passed, $failed failed"
exit "$rc"
