#!/usr/bin/env bash
# kubetune's hellaswag scoring beside lm-eval 0.4.13's (HFLM, float32) on the same model, items and
# threads, one after the other in one run; prints both and their ratio (items/s, peak RSS):
#   tools/bench/eval-hellaswag.sh [SHAPE] [ITEMS] [THREADS] [BATCH_ITEMS] [ITERATIONS]
#   SHAPE: tiny-gpt2 | tiny-llama (the test fixtures) | gpt2-small (random weights, real shape)
#   ITEMS: the first ITEMS (<= 200) of the peer items, eval/peer/hellaswag_peer_items.jsonl
# Needs the built jar and tools/reference/.venv with requirements-eval.txt.
# KUBETUNE_BENCH_ARGS adds options to kubetune's side.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
shape="${1:-tiny-gpt2}"; items="${2:-200}"; threads="${3:-1}"; batch="${4:-8}"; iterations="${5:-3}"
python="${PYTHON:-$root/tools/reference/.venv/bin/python}"
data="$root/trainer-image/src/test/resources/eval/peer/hellaswag_peer_items.jsonl"
model="$(mktemp -d -t kubetune-hellaswag-model-XXXXXX)"; trap 'rm -rf "$model"' EXIT
"$python" "$root/tools/reference/bench_hellaswag.py" make-model --shape "$shape" --out "$model"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
kt="$("$root/kubetune" bench --task eval-hellaswag --model-dir "$model" --data "$data" \
  --items "$items" --batch "$batch" --warmup 1 --iterations "$iterations" --threads "$threads" \
  ${KUBETUNE_BENCH_ARGS:-})"
echo "$kt"
lm="$("$python" "$root/tools/reference/bench_hellaswag.py" run --model "$model" --items "$data" \
  --limit "$items" --threads "$threads" --batch-items "$batch" --warmup 1 \
  --iterations "$iterations" 2>/dev/null | tail -1)"
echo "$lm"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$kt" "$lm" <<'PY'
import re, sys
kt, lm = sys.argv[1], sys.argv[2]
kt_ips = float(re.search(r"([0-9.]+) items/s", kt).group(1))
kt_rss = float(re.search(r"peak RSS ([0-9.]+) MiB", kt).group(1))
lm_ips = float(re.search(r"([0-9.]+) items/s", lm).group(1))
lm_rss = float(re.search(r"peak RSS ([0-9.]+) MiB", lm).group(1))
kt_acc = re.search(r"acc ([0-9.]+)", kt).group(1); lm_acc = re.search(r"acc ([0-9.]+)", lm).group(1)
print(f"ratio kubetune / lm-eval: items/s x{kt_ips / lm_ips:.2f}, peak RSS x{kt_rss / lm_rss:.2f}"
      f" (acc {kt_acc} vs {lm_acc})")
PY
