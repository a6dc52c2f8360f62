#!/usr/bin/env python3
"""The hellaswag peer check's reference: lm-evaluation-harness itself on tiny real models.

Writes 200 hellaswag-format items (made here, never real data: the tricky cases of
hellaswag_preprocess_fixture.py plus seeded random ones, some long enough to be truncated at the
fixtures' 128-token window), then runs `lm_eval.simple_evaluate` with its Hugging Face model
class (HFLM, float32, CPU) on the tiny random GPT-2 and Llama fixtures
(trainer-image/src/test/resources/fixtures/models/{gpt2,llama}, from make_model_fixtures.py),
with the hellaswag task pointed at the local file. Records per item the four log-likelihoods,
is_greedy, pred, pred_norm, acc and acc_norm, the aggregates, and lm-eval's items/s.

Outputs (trainer-image/src/test/resources/eval/peer/):
  hellaswag_peer_items.jsonl     the items, rowanz layout
  hellaswag_peer_<model>.json    lm-eval's results for one model

Usage: tools/reference/.venv/bin/python tools/reference/hellaswag_peer_fixture.py [--threads N]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hellaswag_preprocess_fixture as hf  # noqa: E402  (sets the offline environment first)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
import lm_eval  # noqa: E402
from lm_eval import evaluator  # noqa: E402
from lm_eval.models.huggingface import HFLM  # noqa: E402

OUT = os.path.join(hf.OUT, "peer")
MODELS = ["gpt2", "llama"]
N_ITEMS = 200
BATCH_SIZE = 32  # requests per forward: kubetune batches 8 items of 4 endings
MADE_BY = ("tools/reference/hellaswag_peer_fixture.py "
           "(tools/reference/.venv/bin/python tools/reference/hellaswag_peer_fixture.py)")

LONG_WORDS = ("while the crowd watches from the stands the athlete adjusts the straps of the "
              "harness and checks the rope twice before climbing onto the platform").split()


def long_items(n, seed=99):
    """Items whose context alone nears the 128-token window, so lm-eval truncates them."""
    import random

    rng = random.Random(seed)
    items = []
    for i in range(n):
        ctx_a = " ".join(rng.choice(LONG_WORDS) for _ in range(rng.randint(60, 110))) + "."
        endings = [" ".join(rng.choice(LONG_WORDS) for _ in range(rng.randint(2, 25))) + "."
                   for _ in range(4)]
        items.append(hf.item(500 + i, "Rock climbing", ctx_a, "then", endings, rng.randrange(4),
                             source="gen~long%d" % i))
    return items


def make_items():
    fixed = hf.TRICKY + long_items(12)
    return fixed + hf.random_items(N_ITEMS - len(fixed), seed=4242)


def run(model_name, tm, task, n_items):
    model_dir = os.path.join(hf.FIXTURE_MODELS, model_name)
    lm = HFLM(pretrained=model_dir, device="cpu", dtype="float32", batch_size=BATCH_SIZE)
    start = time.perf_counter()
    out = evaluator.simple_evaluate(model=lm, tasks=[task], num_fewshot=0, task_manager=tm,
                                    log_samples=True, bootstrap_iters=100000)
    seconds = time.perf_counter() - start
    res = out["results"][task.config.task]
    docs = list(task.validation_docs())
    items = []
    for s in sorted(out["samples"][task.config.task], key=lambda s: s["doc_id"]):
        lls = [float(r[0]) for r in s["filtered_resps"]]
        lens = np.array([float(len(c)) for c in docs[s["doc_id"]]["choices"]])
        items.append({"idx": s["doc_id"], "gold": docs[s["doc_id"]]["gold"], "ll": lls,
                      "greedy": [bool(r[1]) for r in s["filtered_resps"]],
                      "pred": int(np.argmax(lls)), "pred_norm": int(np.argmax(np.array(lls) / lens)),
                      "acc": s["acc"], "acc_norm": s["acc_norm"]})
    assert len(items) == n_items
    return {
        "made_by": MADE_BY,
        "versions": {"lm_eval": lm_eval.__version__, "transformers": transformers.__version__,
                     "torch": torch.__version__},
        "model": "fixtures/models/%s" % model_name,
        "max_length": lm.max_length, "batch_size": BATCH_SIZE, "dtype": "float32",
        "torch_threads": torch.get_num_threads(),
        "seconds": seconds, "items_per_second": n_items / seconds,
        "acc": res["acc,none"], "acc_stderr": res["acc_stderr,none"],
        "acc_norm": res["acc_norm,none"], "acc_norm_stderr": res["acc_norm_stderr,none"],
        "n": len(items), "items": items,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (the Java tests use 1)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    logging.getLogger("lm_eval").setLevel(logging.ERROR)
    os.makedirs(OUT, exist_ok=True)
    items = make_items()
    items_path = os.path.join(OUT, "hellaswag_peer_items.jsonl")
    with open(items_path, "w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")
    with tempfile.TemporaryDirectory(prefix="kubetune-hellaswag-peer-") as tmp:
        tm, task = hf.load_task(items_path, tmp)
        for name in MODELS:
            result = run(name, tm, task, len(items))
            with open(os.path.join(OUT, "hellaswag_peer_%s.json" % name), "w", encoding="utf-8") as f:
                f.write(hf.compact_json(result) + "\n")
            print("%s: n=%d acc=%.4f acc_norm=%.4f max_length=%d %.1f items/s (%d threads)" % (
                name, result["n"], result["acc"], result["acc_norm"], result["max_length"],
                result["items_per_second"], result["torch_threads"]))


if __name__ == "__main__":
    main()
