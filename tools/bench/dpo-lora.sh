#!/usr/bin/env bash
# kubetune's LoRA DPO step beside transformers + PEFT computing TRL's sigmoid DPO on the same pairs
# shape, same machine and threads; prints both and the ratio (tokens/s, peak RSS):
#   tools/bench/dpo-lora.sh SHAPE [LAYERS] [PAIRS] [SEQ] [STEPS] [THREADS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
shape="${1:-gpt2-small}"; layers="${2:-}"; batch="${3:-1}"; seq="${4:-512}"; steps="${5:-2}"
threads="${6:-2}"
case "$shape" in
  gpt2-small) arch=gpt2 ;; llama-100m) arch=llama ;; qwen2.5-0.5b) arch=qwen2 ;;
  *) echo "dpo-lora.sh: shape '$shape' is not one of gpt2-small, llama-100m, qwen2.5-0.5b" >&2; exit 2 ;;
esac
python="${PYTHON:-$root/tools/reference/.venv/bin/python}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
kt="$("$root/kubetune" bench --task dpo-lora --arch "$arch" --preset "$shape" ${layers:+--layers "$layers"} \
  --batch "$batch" --seq "$seq" --warmup 1 --iterations "$steps" --threads "$threads")"
echo "$kt"
hf="$(cd "$root/tools/reference" && "$python" bench_dpo_lora.py --shape "$shape" ${layers:+--layers "$layers"} \
  --batch "$batch" --seq "$seq" --warmup 1 --steps "$steps" --threads "$threads" 2>/dev/null | tail -1)"
echo "$hf"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$kt" "$hf" <<'PY'
import re, sys
kt, hf = sys.argv[1], sys.argv[2]
ratio = lambda pattern: float(re.search(pattern, kt).group(1)) / float(re.search(pattern, hf).group(1))
print(f"ratio kubetune / transformers+PEFT: tokens/s x{ratio(r'([0-9.]+) tokens/s'):.2f}, "
      f"peak RSS x{ratio(r'RSS ([0-9.]+) MiB'):.2f}")
PY
