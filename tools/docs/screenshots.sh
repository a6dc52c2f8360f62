#!/usr/bin/env bash
# The README's pictures of a tracked run (docs/images/): TensorBoard and MLflow's UI on the local DPO
# example, taken with headless Chromium, and the run's loss.png.
#   tools/docs/screenshots.sh TENSORBOARD_BIN MLFLOW_PYTHON
# TENSORBOARD_BIN: e.g. tools/reference/.venv/bin/tensorboard (tools/reference/requirements.txt);
# MLFLOW_PYTHON: the python of a venv with mlflow (test-env/up.sh installs the pinned one under
# ~/.cache/kubetune/bin/mlflow-<version>). Needs chromium (Debian: apt-get install chromium).
set -euo pipefail
tensorboard=$1
mlflow_python=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
images=$repo/docs/images
mkdir -p "$images"

# MLflow on a free port with its own store; the run logs to it while TensorBoard files are written
MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false "$mlflow_python" -m mlflow server --host 127.0.0.1 \
  --port 15099 --workers 1 --backend-store-uri "sqlite:///$work/mlflow.db" \
  --artifacts-destination "$work/artifacts" >"$work/mlflow.log" 2>&1 &
until curl -fsS http://127.0.0.1:15099/health >/dev/null 2>&1; do sleep 1; done
sed -e 's|^  output:|  tracking:\n    mlflow: {trackingUri: "http://127.0.0.1:15099", experiment: examples}\n  output:|' \
  "$repo/examples/local/dpo.yaml" >"$repo/examples/local/.dpo-tracked.yaml"
"$repo/kubetune" train "$repo/examples/local/.dpo-tracked.yaml" --tensorboard --overwrite \
  --output "$work/runs/wordnet-dpo-lora"
rm "$repo/examples/local/.dpo-tracked.yaml"
cp "$work/runs/wordnet-dpo-lora/loss.png" "$images/loss-dpo.png"

"$tensorboard" --logdir "$work/runs" --host 127.0.0.1 --port 16099 >"$work/tb.log" 2>&1 &
until curl -fsS http://127.0.0.1:16099/ >/dev/null 2>&1; do sleep 1; done
shot() { # url file
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1000 \
    --virtual-time-budget=25000 --screenshot="$2" "$1" >/dev/null 2>&1
}
# the legacy scalars dashboard honours a tag filter in the URL (the time-series one does not)
shot "http://127.0.0.1:16099/?darkMode=false#scalars&tagFilter=train%2F(loss%7Crewards%2Faccuracies%7Crewards%2Fmargins%7Clearning_rate)%24" \
  "$images/tensorboard.png"
run=$(curl -fsS "http://127.0.0.1:15099/api/2.0/mlflow/runs/search" -H 'Content-Type: application/json' \
  -d '{"experiment_ids":["1"],"max_results":1}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"][0]["info"]["run_id"])')
shot "http://127.0.0.1:15099/#/experiments/1/runs/$run/model-metrics" "$images/mlflow.png"
ls -la "$images"
