#!/usr/bin/env bash
# One GRPO update on fixed completions (loss, backward, clip, AdamW; LoRA r 8 on every linear layer)
# by kubetune and by TRL 1.16's GRPOTrainer on the same random shape, rows, threads and machine, one
# after the other; prints both and their ratio (tokens/s, peak RSS):
#   tools/bench/grpo-update.sh [SHAPE] [LAYERS] [PROMPTS] [GENERATIONS] [PROMPT_LEN] [COMPLETION_LEN] [STEPS] [THREADS]
#   SHAPE: gpt2-small | llama-100m | qwen2.5-0.5b   (needs the built jar and tools/reference/.venv
#   with requirements-alignment.txt, or PYTHON=...)
# KUBETUNE_BENCH_ARGS adds options to kubetune's side (e.g. --profile), REFERENCE_BENCH_ARGS to
# TRL's (e.g. --gradient-checkpointing, GRPOConfig's default).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
shape="${1:-llama-100m}"; layers="${2:-4}"; prompts="${3:-4}"; generations="${4:-8}"
prompt_len="${5:-64}"; completion_len="${6:-128}"; steps="${7:-3}"; threads="${8:-2}"
case "$shape" in
  gpt2-small) arch=gpt2 ;; llama-100m) arch=llama ;; qwen2.5-0.5b) arch=qwen2 ;;
  *) echo "grpo-update.sh: shape '$shape' is not one of gpt2-small, llama-100m, qwen2.5-0.5b" >&2; exit 2 ;;
esac
python="${PYTHON:-$root/tools/reference/.venv/bin/python}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
kt="$("$root/kubetune" bench --task grpo-update --arch "$arch" --preset "$shape" --layers "$layers" \
  --prompts "$prompts" --generations "$generations" --prompt-length "$prompt_len" \
  --completion-length "$completion_len" --warmup 1 --iterations "$steps" --threads "$threads" \
  ${KUBETUNE_BENCH_ARGS:-})"
echo "$kt"
trl="$("$python" "$root/tools/reference/bench_grpo_update.py" --shape "$shape" --layers "$layers" \
  --prompts "$prompts" --generations "$generations" --prompt-length "$prompt_len" \
  --completion-length "$completion_len" --warmup 1 --steps "$steps" --threads "$threads" \
  ${REFERENCE_BENCH_ARGS:-} 2>/dev/null | tail -1)"
echo "$trl"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$kt" "$trl" <<'PY'
import re, sys
kt, trl = sys.argv[1], sys.argv[2]
kt_tps = float(re.search(r"([0-9.]+) tokens/s", kt).group(1))
kt_rss = float(re.search(r"RSS ([0-9.]+) MiB", kt).group(1))
trl_tps = float(re.search(r"([0-9.]+) tokens/s", trl).group(1))
trl_rss = float(re.search(r"peak RSS ([0-9.]+) MiB", trl).group(1))
print(f"ratio kubetune / TRL: update tokens/s x{kt_tps / trl_tps:.2f}, peak RSS x{kt_rss / trl_rss:.2f}")
PY
