#!/usr/bin/env bash
# Peak memory and tokens/s of a LoRA DPO step beside an SFT step of as many rows, same model
# (examples/models/tiny-llama-moby), and TRL's DPOTrainer on the same pairs:
#   tools/bench/preference.sh            (needs the built jar; TRL part needs tools/reference/.venv)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
for job in sft dpo; do
  out="$(mktemp -d)"
  /usr/bin/time -v "$root/kubetune" train "$here/$job-bench.yaml" --output "$out" >"$out/log" 2>"$out/time"
  python3 - "$job" "$out" <<'PY'
import json, re, sys
job, out = sys.argv[1], sys.argv[2]
steps = [json.loads(l) for l in open(f"{out}/metrics.jsonl") if '"tokens_per_second"' in l][3:]
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{out}/time").read()).group(1))
tps = sum(s["tokens_per_second"] for s in steps) / len(steps)
print(f"kubetune {job} (LoRA, 16 rows/step): {tps:.0f} tokens/s (mean of steps 4+), peak RSS {rss/1024:.0f} MiB")
PY
done
if [ -x "$root/tools/reference/.venv/bin/python" ]; then
  "$root/tools/reference/.venv/bin/python" "$root/tools/reference/bench_dpo.py" 2>/dev/null | tail -1
fi
