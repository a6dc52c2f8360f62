"""TRL 1.16 DPOTrainer's speed on this CPU, for comparison with kubetune's dpo stage
(tools/bench/preference.sh runs both): the same model (examples/models/tiny-llama-moby), the same
pairs (examples/data/wordnet-preferences.jsonl, LLaMA-Factory alpaca layout turned into prompt /
chosen / rejected text), LoRA r 16 on all linear layers, batch 8 pairs, a few steps after warm-up.
Prints tokens/s (prompt+answer tokens of both rows of every pair, padding excluded) and peak RSS.

Run: tools/reference/.venv/bin/python tools/reference/bench_dpo.py [--steps 20] [--threads 2]
"""
import argparse
import json
import pathlib
import resource
import time

import torch
from datasets import Dataset
from peft import LoraConfig
from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
from trl import DPOConfig, DPOTrainer

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples/models/tiny-llama-moby"
DATA = ROOT / "examples/data/wordnet-preferences.jsonl"


class Clock(TrainerCallback):
    def __init__(self, warmup):
        self.warmup, self.start, self.tokens = warmup, None, 0

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.warmup:
            self.start = time.perf_counter()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    rows = [json.loads(line) for line in DATA.read_text().splitlines()][: 8 * (a.steps + 1)]
    pairs = [{"prompt": f"{r['instruction']}\n", "chosen": r["chosen"], "rejected": r["rejected"]}
             for r in rows]
    tok = AutoTokenizer.from_pretrained(MODEL)
    tok.pad_token = tok.eos_token
    model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.float32)
    clock = Clock(a.warmup)
    trainer = DPOTrainer(
        model=model, processing_class=tok, train_dataset=Dataset.from_list(pairs),
        args=DPOConfig(output_dir="/tmp/kubetune-bench-dpo", per_device_train_batch_size=8,
                       max_steps=a.steps, learning_rate=2e-3, logging_steps=1000, save_strategy="no",
                       report_to=[], use_cpu=True, bf16=False, fp16=False, max_length=96),
        peft_config=LoraConfig(r=16, lora_alpha=32, target_modules="all-linear", task_type="CAUSAL_LM"),
        callbacks=[clock])
    lengths = [len(e["prompt_ids"]) * 2 + len(e["chosen_ids"]) + len(e["rejected_ids"])
               for e in trainer.train_dataset]
    trainer.train()
    seconds = time.perf_counter() - clock.start
    timed = a.steps - a.warmup
    tokens = sum(lengths) / len(lengths) * 8 * timed
    print(f"TRL DPOTrainer (LoRA, batch 8 pairs): {seconds / timed * 1000:.0f} ms/step, "
          f"{tokens / seconds:.0f} tokens/s, peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
