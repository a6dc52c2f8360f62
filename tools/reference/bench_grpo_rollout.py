"""Rollout (sampling) speed of transformers' generate on the embedded tiny model, to compare with
kubetune's BatchGenerator on the same CPU: 4 prompts x 8 completions, 24 new tokens each (no EOS
stop), temperature 1, top-k 0, KV cache, fp32, 2 threads. Pinned: torch 2.15, transformers 5.23.

Run: tools/reference/.venv/bin/python tools/reference/bench_grpo_rollout.py
"""
import pathlib
import time

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples/models/tiny-llama-moby"
PROMPTS = ["Define decided.", "Define ask.", "Define sweeping.", "Define sagacious."]
COPIES, NEW = 8, 24


def main():
    torch.set_num_threads(2)
    tok = AutoTokenizer.from_pretrained(MODEL)
    tok.pad_token = tok.eos_token
    tok.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.float32).eval()
    enc = tok([p for p in PROMPTS for _ in range(COPIES)], return_tensors="pt", padding=True)
    kwargs = dict(max_new_tokens=NEW, min_new_tokens=NEW, do_sample=True, temperature=1.0, top_k=0,
                  pad_token_id=tok.eos_token_id)
    with torch.no_grad():
        model.generate(**enc, **kwargs)  # warm-up
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            model.generate(**enc, **kwargs)
            runs.append(time.perf_counter() - start)
    best = min(runs)
    tokens = len(PROMPTS) * COPIES * NEW
    print(f"transformers generate: {tokens} new tokens in {best * 1000:.1f} ms (best of 5):"
          f" {tokens / best:.0f} tokens/s")


if __name__ == "__main__":
    main()
