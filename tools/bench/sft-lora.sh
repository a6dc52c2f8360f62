#!/usr/bin/env bash
# kubetune's LoRA SFT step beside transformers + PEFT's on the same random shape, same machine, same
# threads, one after the other; prints both and their ratio (tokens/s, peak RSS):
#   tools/bench/sft-lora.sh SHAPE [LAYERS] [BATCH] [SEQ] [STEPS] [THREADS]
#   SHAPE: gpt2-small | llama-100m | qwen2.5-0.5b   (needs the built jar and tools/reference/.venv or
#   tools/reference/.venv with requirements.txt)
# KUBETUNE_BENCH_ARGS adds options to kubetune's side (e.g. --full-logits, --gradient-checkpointing,
# --device cuda --precision bf16), REFERENCE_BENCH_ARGS to transformers' (--device cuda --dtype bf16).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
shape="${1:-gpt2-small}"; layers="${2:-}"; batch="${3:-1}"; seq="${4:-512}"; steps="${5:-3}"
threads="${6:-2}"
case "$shape" in
  gpt2-small) arch=gpt2 ;; llama-100m) arch=llama ;; qwen2.5-0.5b) arch=qwen2 ;;
  *) echo "sft-lora.sh: shape '$shape' is not one of gpt2-small, llama-100m, qwen2.5-0.5b" >&2; exit 2 ;;
esac
python="${PYTHON:-$root/tools/reference/.venv/bin/python}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
kt="$("$root/kubetune" bench --task sft-lora --arch "$arch" --preset "$shape" ${layers:+--layers "$layers"} \
  --batch "$batch" --seq "$seq" --warmup 1 --iterations "$steps" --threads "$threads" ${KUBETUNE_BENCH_ARGS:-})"
echo "$kt"
hf="$("$python" "$root/tools/reference/bench_sft_lora.py" --shape "$shape" ${layers:+--layers "$layers"} \
  --batch "$batch" --seq "$seq" --warmup 1 --steps "$steps" --threads "$threads" \
  ${REFERENCE_BENCH_ARGS:-} 2>/dev/null | tail -1)"
echo "$hf"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$kt" "$hf" <<'PY'
import re, sys
kt, hf = sys.argv[1], sys.argv[2]
kt_tps = float(re.search(r"([0-9.]+) tokens/s", kt).group(1))
kt_rss = float(re.search(r"RSS ([0-9.]+) MiB", kt).group(1))
hf_tps = float(re.search(r"([0-9.]+) tokens/s", hf).group(1))
hf_rss = float(re.search(r"peak RSS ([0-9.]+) MiB", hf).group(1))
print(f"ratio kubetune / transformers+PEFT: tokens/s x{kt_tps / hf_tps:.2f}, peak RSS x{kt_rss / hf_rss:.2f}")
PY
