#!/usr/bin/env python3
"""Reference CPU throughput of Hugging Face transformers, to compare kubetune's Java trainer with.

Random weights, fp32, torch threads = --threads (default 2). For each model it runs a few
warm-up iterations and then reports the mean over --steps of:
  forward           no_grad forward of a [batch, seq] batch (model in train mode, dropout 0)
  forward+backward  loss (labels = input_ids) + backward
  train step        forward+backward + AdamW step + zero_grad (full fine-tuning)
and the process's peak RSS. Each model runs in its own subprocess so peak RSS is its own.

Models:
  gpt2   GPT-2 small shape: 12 layers, d 768, 12 heads, vocab 50257, n_positions 1024 (124M)
  llama  Llama shape: 12 layers, d 768, 12 heads, 4 kv heads, intermediate 2048,
         vocab 32000, tied embeddings (~100M)

Usage: tools/reference/.venv/bin/python tools/reference/bench_transformers.py
         [--models gpt2 llama] [--batch 8] [--seq 128] [--warmup 2] [--steps 5]
         [--threads 2] [--attn sdpa|eager]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time


def build(name, attn):
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    if name == "gpt2":
        cfg = GPT2Config(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
                         resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, attn_implementation=attn)
        return GPT2LMHeadModel(cfg)
    if name == "llama":
        cfg = LlamaConfig(vocab_size=32000, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                          num_key_value_heads=4, intermediate_size=2048, max_position_embeddings=2048,
                          tie_word_embeddings=True, attn_implementation=attn)
        return LlamaForCausalLM(cfg)
    raise ValueError(name)


def bench_one(a):
    import torch

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    model = build(a.models[0], a.attn).float().train()
    n_params = sum(p.numel() for p in model.parameters())
    vocab = model.config.vocab_size
    g = torch.Generator().manual_seed(1)
    x = torch.randint(0, vocab, (a.batch, a.seq), generator=g)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    tokens = a.batch * a.seq

    def fwd():
        with torch.no_grad():
            model(input_ids=x)

    def fwd_bwd():
        model(input_ids=x, labels=x).loss.backward()
        model.zero_grad(set_to_none=True)

    def train_step():
        model(input_ids=x, labels=x).loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    res = {"model": a.models[0], "params": n_params, "batch": a.batch, "seq": a.seq, "threads": a.threads,
           "attn": a.attn, "torch": torch.__version__}
    for label, fn in (("forward", fwd), ("forward+backward", fwd_bwd), ("train step (fwd+bwd+AdamW)", train_step)):
        for _ in range(a.warmup):
            fn()
        times = []
        for _ in range(a.steps):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        mean = sum(times) / len(times)
        res[label] = {"step_s": mean, "min_s": min(times), "max_s": max(times), "tokens_per_s": tokens / mean}
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=["gpt2", "llama"], choices=["gpt2", "llama"])
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--attn", default="sdpa", choices=["sdpa", "eager"])
    ap.add_argument("--json", action="store_true", help="print one JSON line per model")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.child:
        print(json.dumps(bench_one(a)))
        return
    for m in a.models:
        cmd = [sys.executable, os.path.abspath(__file__), "--child", "--models", m, "--batch", str(a.batch),
               "--seq", str(a.seq), "--warmup", str(a.warmup), "--steps", str(a.steps),
               "--threads", str(a.threads), "--attn", a.attn]
        env = dict(os.environ, OMP_NUM_THREADS=str(a.threads), MKL_NUM_THREADS=str(a.threads))
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
        r = json.loads(out.strip().splitlines()[-1])
        if a.json:
            print(json.dumps(r))
            continue
        print(f"{r['model']}: {r['params'] / 1e6:.1f}M params, batch {r['batch']} x seq {r['seq']}, "
              f"{r['threads']} threads, attn {r['attn']}, torch {r['torch']}, fp32")
        for k in ("forward", "forward+backward", "train step (fwd+bwd+AdamW)"):
            s = r[k]
            print(f"  {k:28s} step {s['step_s']:.3f} s (min {s['min_s']:.3f}, max {s['max_s']:.3f})"
                  f"  {s['tokens_per_s']:.0f} tokens/s")
        print(f"  peak RSS {r['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
