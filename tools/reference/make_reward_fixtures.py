#!/usr/bin/env python3
"""Build tiny random *ForSequenceClassification reward models and record transformers' scores.

For each case this writes, into <out>/<case>/ (default:
trainer-image/src/test/resources/fixtures/reward/):
  config.json, model.safetensors     as save_pretrained writes them (num_labels 1, pad_token_id set)
  reference.json                     a right-padded batch of 3 sequences of different lengths, the
                                     position each score is read at, and the scores

Cases:
  llama  LlamaForSequenceClassification, pad_token_id 0 distinct from eos: plain right padding.
  gpt2   GPT2ForSequenceClassification with pad_token_id == eos_token_id (as TRL falls back to EOS
         for padding): every sequence ends with an appended EOS, so transformers reads the score on
         the token BEFORE that EOS (the rightmost token that is not the pad id).

Deterministic: fixed seeds, CPU, fp32, eager attention, eval mode. No tokenizer: ids are drawn at
random (never the pad id inside a sequence).
Usage:  tools/reference/.venv/bin/python tools/reference/make_reward_fixtures.py [--out DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

import torch
import transformers
from transformers import GPT2Config, GPT2ForSequenceClassification, LlamaConfig, LlamaForSequenceClassification

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model_fixtures import INIT_RANGE, perturb, versions  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_OUT = os.path.join(REPO, "trainer-image", "src", "test", "resources", "fixtures", "reward")
MADE_BY = "tools/reference/make_reward_fixtures.py (tools/reference/.venv/bin/python tools/reference/make_reward_fixtures.py)"
VOCAB = 512
LENGTHS = [9, 4, 6]  # real tokens per row (for gpt2 including the appended EOS)


def build_llama():
    cfg = LlamaConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, intermediate_size=128, max_position_embeddings=128,
                      initializer_range=INIT_RANGE, rms_norm_eps=1e-6, rope_theta=10000.0,
                      bos_token_id=1, eos_token_id=2, pad_token_id=0, num_labels=1,
                      tie_word_embeddings=False, attn_implementation="eager")
    return LlamaForSequenceClassification(cfg)


def build_gpt2():
    eos = VOCAB - 1
    cfg = GPT2Config(vocab_size=VOCAB, n_positions=128, n_embd=64, n_layer=2, n_head=4,
                     initializer_range=INIT_RANGE, bos_token_id=eos, eos_token_id=eos, pad_token_id=eos,
                     num_labels=1, attn_implementation="eager")
    return GPT2ForSequenceClassification(cfg)


CASES = {"llama": (build_llama, 2001, False), "gpt2": (build_gpt2, 2002, True)}


def batch(gen, pad, eos, append_eos):
    """Right-padded ids and mask; real ids are drawn from [3, VOCAB-1) so they never equal pad/eos."""
    width = max(LENGTHS)
    ids, mask = [], []
    for n in LENGTHS:
        real = torch.randint(3, VOCAB - 1, (n - 1 if append_eos else n,), generator=gen).tolist()
        if append_eos:
            real.append(eos)
        ids.append(real + [pad] * (width - n))
        mask.append([1] * n + [0] * (width - n))
    return torch.tensor(ids), torch.tensor(mask)


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    a = ap.parse_args()
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    for case, (build, seed, append_eos) in CASES.items():
        torch.manual_seed(seed)
        model = build().eval()
        perturb(model, torch.Generator().manual_seed(seed + 7))
        cfg = model.config
        ids, mask = batch(torch.Generator().manual_seed(seed + 13), cfg.pad_token_id, cfg.eos_token_id, append_eos)
        scores = model(input_ids=ids, attention_mask=mask).logits  # [3, 1]
        positions = (torch.arange(ids.shape[1]) * (ids != cfg.pad_token_id).int()).argmax(-1)
        expected_positions = [n - 2 if append_eos else n - 1 for n in LENGTHS]
        assert positions.tolist() == expected_positions, (positions.tolist(), expected_positions)
        case_dir = os.path.join(a.out, case)
        if os.path.isdir(case_dir):
            shutil.rmtree(case_dir)
        model.save_pretrained(case_dir)
        reloaded = type(model).from_pretrained(case_dir, dtype=torch.float32, attn_implementation="eager").eval()
        worst = (reloaded(input_ids=ids, attention_mask=mask).logits - scores).abs().max().item()
        assert worst < 1e-6, f"{case}: reload differs by {worst}"
        with open(os.path.join(case_dir, "reference.json"), "w", encoding="utf-8") as f:
            json.dump({
                "made_by": MADE_BY,
                "case": case,
                "architecture": type(model).__name__,
                "versions": versions(),
                "seed": seed,
                "pad_token_id": cfg.pad_token_id,
                "eos_token_id": cfg.eos_token_id,
                "compute": "fp32, CPU, eager attention, eval mode, right padding, attention_mask given",
                "score_positions": "rightmost index whose id != pad_token_id "
                                   "(transformers GenericForSequenceClassification / GPT2ForSequenceClassification)",
                "input_ids": ids.tolist(),
                "attention_mask": mask.tolist(),
                "score_positions_values": positions.tolist(),
                "scores": scores[:, 0].tolist(),
            }, f, indent=1)
            f.write("\n")
        print(f"{case}: scores {scores[:, 0].tolist()} at {positions.tolist()}, reload diff {worst:.1e}")


if __name__ == "__main__":
    main()
