#!/usr/bin/env python3
"""lm-evaluation-harness' hellaswag speed, the peer of `kubetune bench --task eval-hellaswag`.

Pinned: lm-eval 0.4.13, transformers 5.23, torch 2.15 (tools/reference/.venv).

  make-model --shape SHAPE --out DIR
      writes a Hugging Face model directory both sides load: tiny-gpt2 / tiny-llama are copies of
      the test fixtures (trainer-image/src/test/resources/fixtures/models/{gpt2,llama}),
      gpt2-small is GPT-2-small's shape (12 layers, 768 wide, 50,257 vocabulary) with seeded random
      weights and the gpt2 fixture's tokenizer (its ids are all below 50,257).
  run --model DIR --items FILE --limit N --threads T --batch-items B --warmup W --iterations I
      scores the first N items with HFLM (float32, CPU, batch 4*B requests: kubetune batches B
      items of four endings) through lm_eval.simple_evaluate, offline, as
      hellaswag_peer_fixture.py does; prints one line: items/s of the median iteration, peak RSS.
"""
from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hellaswag_preprocess_fixture as hf  # noqa: E402  (sets the offline environment first)

import torch  # noqa: E402
from lm_eval import evaluator  # noqa: E402
from lm_eval.models.huggingface import HFLM  # noqa: E402

TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]


def make_model(shape, out):
    if shape in ("tiny-gpt2", "tiny-llama"):
        shutil.copytree(os.path.join(hf.FIXTURE_MODELS, shape[len("tiny-"):]), out,
                        dirs_exist_ok=True)
        return
    if shape != "gpt2-small":
        sys.exit("bench_hellaswag.py: shape '%s' is not one of tiny-gpt2, tiny-llama, gpt2-small"
                 % shape)
    import transformers
    torch.manual_seed(42)
    cfg = transformers.GPT2Config(n_layer=12, n_embd=768, n_head=12, vocab_size=50257,
                                  n_positions=1024, bos_token_id=4096, eos_token_id=4096)
    model = transformers.GPT2LMHeadModel(cfg).eval()
    os.makedirs(out, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    for name in TOKENIZER_FILES:
        src = os.path.join(hf.FIXTURE_MODELS, "gpt2", name)
        if os.path.exists(src):
            shutil.copy(src, out)


def run(a):
    torch.set_num_threads(a.threads)
    logging.getLogger("lm_eval").setLevel(logging.ERROR)
    with open(a.items, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()][: a.limit]
    with tempfile.TemporaryDirectory(prefix="kubetune-hellaswag-bench-") as tmp:
        items_path = os.path.join(tmp, "items.jsonl")
        with open(items_path, "w", encoding="utf-8") as f:
            f.writelines(lines)
        tm, task = hf.load_task(items_path, tmp)
        lm = HFLM(pretrained=a.model, device="cpu", dtype="float32", batch_size=4 * a.batch_items)
        seconds = []
        acc = None
        for i in range(a.warmup + a.iterations):
            start = time.perf_counter()
            out = evaluator.simple_evaluate(model=lm, tasks=[task], num_fewshot=0,
                                            task_manager=tm, bootstrap_iters=0)
            if i >= a.warmup:
                seconds.append(time.perf_counter() - start)
            acc = out["results"][task.config.task]["acc,none"]
    median = statistics.median(seconds)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("lm-eval %s eval-hellaswag: %d items, median %.3f s of %d, %.1f items/s, acc %.4f, "
          "%d threads, peak RSS %.0f MiB" % (
              __import__("lm_eval").__version__, len(lines), median, len(seconds),
              len(lines) / median, acc, torch.get_num_threads(), rss_mib))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make-model")
    mk.add_argument("--shape", required=True)
    mk.add_argument("--out", required=True)
    rn = sub.add_parser("run")
    rn.add_argument("--model", required=True)
    rn.add_argument("--items", required=True)
    rn.add_argument("--limit", type=int, default=200)
    rn.add_argument("--threads", type=int, default=1)
    rn.add_argument("--batch-items", type=int, default=8)
    rn.add_argument("--warmup", type=int, default=1)
    rn.add_argument("--iterations", type=int, default=3)
    a = ap.parse_args()
    if a.cmd == "make-model":
        make_model(a.shape, a.out)
    else:
        run(a)


if __name__ == "__main__":
    main()
