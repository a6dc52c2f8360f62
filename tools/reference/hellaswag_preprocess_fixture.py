#!/usr/bin/env python3
"""Record what lm-evaluation-harness does with small hellaswag-format items, for the Java tests.

Nothing here is real hellaswag data: the items are written by this script (hand-picked tricky
cases plus seeded random ones) in the two canonical layouts, and lm-eval's own code is run on
them:

  * its hellaswag task (lm_eval/tasks/hellaswag/hellaswag.yaml + utils.process_docs), with the
    data pointed at the local JSONL: queries, choices, gold and the (context, continuation)
    request strings;
  * its HFLM model class (`_encode_pair`, `_loglikelihood_tokens`) with the fixture tokenizers:
    the context / continuation token split, BOS included, and the left truncation at max_length;
  * its evaluator (`simple_evaluate`) with HFLM whose forward pass is replaced by a fixed
    synthetic function of the tokens (logit(prev, v) = 3 sin(0.37 prev + 0.11 v + 0.05 first +
    0.013 pos), first = the window's first token, pos = the input position, so that truncation
    shows): per-item log-likelihoods, is_greedy, acc, acc_norm and their standard errors;
  * its metric functions (`ConfigurableTask.process_results`, `mean`, `mean_stderr`) on fixed
    log-likelihoods, ties included.

Outputs (trainer-image/src/test/resources/eval/):
  hellaswag_items.jsonl           the items, rowanz hellaswag_val.jsonl layout (label: int)
  hellaswag_items.parquet         the same items, Hugging Face Rowan/hellaswag layout (label: str)
  hellaswag_items_{zstd,gzip,none}.parquet   the first items with the other page codecs
  hellaswag_malformed.parquet     good and bad rows mixed, for the reader's error reporting
  hellaswag_reference.json        everything lm-eval produced for them

Usage: tools/reference/.venv/bin/python tools/reference/hellaswag_preprocess_fixture.py
(lm-eval from tools/reference/requirements-eval.txt installed in that venv.)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import random
import sys
import tempfile

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
import lm_eval  # noqa: E402
from lm_eval import evaluator  # noqa: E402
from lm_eval.api import metrics as lm_metrics  # noqa: E402
from lm_eval.models.huggingface import HFLM  # noqa: E402
from lm_eval.tasks import TaskManager  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RESOURCES = os.path.join(REPO, "trainer-image", "src", "test", "resources")
OUT = os.path.join(RESOURCES, "eval")
FIXTURE_MODELS = os.path.join(RESOURCES, "fixtures", "models")
MADE_BY = ("tools/reference/hellaswag_preprocess_fixture.py "
           "(tools/reference/.venv/bin/python tools/reference/hellaswag_preprocess_fixture.py)")
TASK_YAML = os.path.join(os.path.dirname(lm_eval.__file__), "tasks", "hellaswag", "hellaswag.yaml")

# Tokenizer fixtures (built by make_tokenizers.py; make_model_fixtures.py puts them there):
# gpt2 adds no special tokens, llama (Llama 3 layout) prepends <|begin_of_text|>.
TOKENIZERS = {"gpt2": "gpt2", "llama": "llama3"}
# Small windows so that some long items are left-truncated exactly as lm-eval truncates them.
MAX_LENGTH = {"gpt2": 48, "llama": 56}
BATCH_SIZE = 3
# The other page codecs a Parquet file may use, on the first few items.
CODECS = ["zstd", "gzip", "none"]
CODEC_ITEMS = 6

# ----------------------------------------------------------------------------- items

NBSP, FIGURE_SPACE, NARROW_NBSP, NEL = "\u00a0", "\u2007", "\u202f", "\u0085"


def item(ind, label, ctx_a, ctx_b, endings, gold, source="wikihow~0", split_type="indomain"):
    return {"ind": ind, "activity_label": label, "ctx_a": ctx_a, "ctx_b": ctx_b,
            "ctx": (ctx_a + " " + ctx_b).strip(), "endings": endings, "source_id": source,
            "split": "val", "split_type": split_type, "label": gold}


TRICKY = [
    item(4, "Removing ice from car",
         "Then, the man writes over the snow covering the window of a car, and a woman smiles.",
         "then", [", the man adds wax to the windshield and cuts it.",
                  ", a person board a ski lift, while two men sled.",
                  ", the man puts on a christmas coat, knitted with netting.",
                  ", the man continues removing the snow on his car."], 3,
         source="activitynet~v_x"),
    item(5, "Home and Garden", "[header] How to clean a bucket [title] Get a bucket.",
         "[step] fill it  up with   water.", ["a  [title] b", "c [substeps] d", "[step] e  ", " f"], 1),
    item(6, "Sports", "The MAN in RED is jumping.", "the MAN in RED lands.",
         ["He SMILES.", "he falls.", "HE RUNS  away.", "He waves."], 0, source="activitynet~v_y"),
    # trailing "[step]" is removed after strip(): the query ends with a space, which
    # _encode_pair moves into the continuation.
    item(7, "Cooking", "Chop the onions.", "then [step]",
         ["fry them.", "boil them.", "eat them raw.", "throw them away."], 2),
    # trailing " [title]" becomes ". ": again a query ending with a space.
    item(8, "Travel", "Pack your bags", "[title]", ["Go.", "Stay.", "Wait.", "Fly."], 3),
    item(9, "Health", "", "", ["Drink water.", "Sleep.", "Walk.", "Rest."], 0),
    item(10, "Unicode", "Stra\u00dfe und Weg.", "\u00dftra\u00dfe IST lang",
         ["Ja.", "Nein.", "Vielleicht.", "Doch."], 1),
    item(11, "Digraphs", "Names.", "\u01c6emal SAID hi", ["ok", "no", "yes", "maybe"], 2),
    item(12, "Greek", "\u039f\u0394\u039f\u03a3.", "\u039f\u0394\u039f\u03a3 \u039a\u0391\u0399 \u039b\u039f\u0393\u039f\u03a3",
         ["\u03bd\u03b1\u03b9", "\u03bf\u03c7\u03b9", "\u03af\u03c3\u03c9\u03c2", "\u03c0\u03bf\u03c4\u03ad"], 3),
    item(13, "Dotted I", "Istanbul.", "a\u0130b \u0130STANBUL", ["1", "2", "3", "4"], 0),
    item(14, "Spaces" + NBSP, NBSP + "Leading and trailing odd spaces." + NBSP, "then" + NARROW_NBSP,
         [NBSP + "one" + NBSP, FIGURE_SPACE + "two" + FIGURE_SPACE, NEL + "three" + NEL, "\tfour\t"], 1),
    item(15, "Brackets", "Keep [a\nb] but drop [a\rb] and [a\u2028b].", "nested [[x]] and [open",
         ["[]", "[x][y]z", "a [b] c [d] e", "]["], 2),
    item(16, "Emoji \U0001f600", "Smile \U0001f600.", "\U0001f600 more",
         ["\U0001f600", "\U0001f600\U0001f600 ok", "plain", "\u00e9t\u00e9"], 0),
    item(17, "Empty ending", "Finish the sentence.", "it is", ["", "done.", "not done.", "over."], 1),
    item(18, "Digits", "Count.", "3 MEN and 2 Women", ["walk.", "run.", "sit.", "stand."], 3),
    item(19, "[header] Label [title] in brackets", "Text.", "more", ["a", "b", "c", "d"], 0),
    item(20, "Triple", "a   b    c", "d     e", ["x   y", "x    y", "x  y", "x y"], 2),
    item(21, "Long",
         "This context is long on purpose so that the request does not fit the small test window "
         "and lm-eval has to cut tokens from the left before it scores the continuation, which "
         "is exactly what the Java scorer must reproduce token for token.",
         "and it goes on and on",
         ["with a short ending.",
          "with a much longer ending that keeps going for quite a few more words than the others do.",
          "briefly.", "and stops."], 1),
    item(22, "Title", "[title] Start with a title [title]", "[step] and a step [title]",
         [" [title] ending", "ending [title]", "[title]", "end [title] ing"], 3),
]

WORDS = ("the a man woman dog cat kid chef player team crowd camera bowl ball rope water snow "
         "paint brush car bike board shoes hat table floor wall window river field stage").split()
VERBS = ("is holding jumps runs smiles throws catches pours mixes climbs slides waves talks "
         "points walks sits stands").split()
LABELS = ["Running a marathon", "Cleaning windows", "Making a cake", "Playing guitar",
          "Home and Garden", "Personal Care and Style", "Food and Entertaining", "Sports and Fitness"]
NOISE = ["", " [title]", " [step]", " [substeps]", " [header]", "  ", "   "]


def sentence(rng, n):
    out = []
    for _ in range(n):
        w = rng.choice(WORDS + VERBS)
        out.append(w.upper() if rng.random() < 0.1 else w)
        if rng.random() < 0.15:
            out.append(rng.choice(NOISE).strip() or " ")
    return " ".join(out)


def random_items(n, seed=20240611):
    rng = random.Random(seed)
    items = []
    for i in range(n):
        ctx_a = sentence(rng, rng.randint(3, 14)) + rng.choice([".", ",", "", " [title]"])
        ctx_b = rng.choice(["", "then", "He", "she", "The man", "[step] the", "they"]) + (
            " " + sentence(rng, rng.randint(0, 5)) if rng.random() < 0.7 else "")
        endings = [sentence(rng, rng.randint(1, 10)) + rng.choice([".", "", " .", "  "]) for _ in range(4)]
        items.append(item(100 + i, rng.choice(LABELS), ctx_a, ctx_b, endings, rng.randrange(4),
                          source="gen~%d" % i, split_type=rng.choice(["indomain", "zeroshot"])))
    return items


def malformed_rows():
    """Good and bad rows for the Parquet reader (label is a string in that layout)."""
    good = [dict(r, label=str(r["label"])) for r in TRICKY[:3]]
    bad = [
        dict(TRICKY[0], ind=900, endings=TRICKY[0]["endings"][:3], label="1"),  # 3 endings
        dict(TRICKY[0], ind=901, label="4"),                                     # out of range
        dict(TRICKY[0], ind=902, label="x"),                                     # not a number
        dict(TRICKY[0], ind=903, ctx_a=None, label="0"),                         # missing ctx_a
        dict(TRICKY[0], ind=904, endings=None, label="0"),                       # missing endings
        dict(TRICKY[0], ind=905, label=""),                                      # test split: no label
    ]
    return good[:2] + bad[:3] + good[2:] + bad[3:]


HF_SCHEMA = pa.schema([
    ("ind", pa.int32()), ("activity_label", pa.string()), ("ctx_a", pa.string()),
    ("ctx_b", pa.string()), ("ctx", pa.string()), ("endings", pa.list_(pa.string())),
    ("source_id", pa.string()), ("split", pa.string()), ("split_type", pa.string()),
    ("label", pa.string()),
])


def write_parquet(rows, path, compression="snappy"):
    """Rowan/hellaswag's Parquet layout; snappy is what pyarrow and HF write by default."""
    rows = [dict(r, label=None if r["label"] is None else str(r["label"])) for r in rows]
    pq.write_table(pa.Table.from_pylist(rows, schema=HF_SCHEMA), path, compression=compression)


# ----------------------------------------------------------------------------- lm-eval


def load_task(items_path, tmp):
    yaml_path = os.path.join(tmp, "hellaswag_kubetune_fixture.yaml")
    with open(yaml_path, "w", encoding="utf-8") as f:
        f.write("include: %s\ntask: hellaswag_kubetune_fixture\ndataset_path: json\n"
                "dataset_kwargs:\n  data_files:\n    validation: %s\ntraining_split: null\n"
                % (json.dumps(TASK_YAML), json.dumps(items_path)))
    tm = TaskManager(include_path=tmp, include_defaults=False)
    return tm, list(tm.load(["hellaswag_kubetune_fixture"])["tasks"].values())[0]


def synthetic_logits(inps: torch.Tensor, vocab: int) -> torch.Tensor:
    """A fixed synthetic LM. The next-token logits depend on the current token, the first token of
    the input window and the position, so a window cut one token off changes every score."""
    v = torch.arange(vocab, dtype=torch.float64)
    prev = inps.to(torch.float64).unsqueeze(-1)                       # [B, T, 1]
    first = inps[:, :1].to(torch.float64).unsqueeze(-1)               # [B, 1, 1]
    pos = torch.arange(inps.shape[1], dtype=torch.float64).view(1, -1, 1)
    return 3.0 * torch.sin(0.37 * prev + 0.11 * v + 0.05 * first + 0.013 * pos)


class SyntheticHFLM(HFLM):
    """lm-eval's own HFLM (tokenization, truncation, batching, scoring) with a fixed forward pass."""

    def _model_call(self, inps, attn_mask=None, labels=None):
        return synthetic_logits(inps, self.fixture_vocab)


def make_lm(tok_dir, max_length):
    tok = transformers.AutoTokenizer.from_pretrained(tok_dir)
    vocab = len(tok)
    cfg = transformers.GPT2Config(vocab_size=vocab, n_positions=max_length + 8, n_embd=8, n_layer=1,
                                  n_head=1, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    torch.manual_seed(0)
    model = transformers.GPT2LMHeadModel(cfg).eval()
    lm = SyntheticHFLM(pretrained=model, tokenizer=tok, max_length=max_length, batch_size=BATCH_SIZE,
                    device="cpu")
    lm.fixture_vocab = vocab
    return lm


def compact_json(obj, indent=""):
    """Indented JSON with lists of numbers, booleans and short strings kept on one line."""
    inner = indent + " "
    if isinstance(obj, dict):
        body = (",\n").join(inner + json.dumps(k, ensure_ascii=False) + ": " + compact_json(v, inner)
                             for k, v in obj.items())
        return "{\n" + body + "\n" + indent + "}" if obj else "{}"
    if isinstance(obj, list) and any(isinstance(x, (dict, list)) for x in obj):
        return "[\n" + ",\n".join(inner + compact_json(x, inner) for x in obj) + "\n" + indent + "]"
    return json.dumps(obj, ensure_ascii=False)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def nan_to_none(x):
    return None if isinstance(x, str) or (isinstance(x, float) and math.isnan(x)) else x


def run_model(name, tm, task, docs, requests):
    tok_dir = os.path.join(FIXTURE_MODELS, name)
    lm = make_lm(tok_dir, MAX_LENGTH[name])
    splits = []
    for idx, reqs in enumerate(requests):
        pairs = [lm._encode_pair(c, k) for c, k in reqs]
        assert all(p[0] == pairs[0][0] for p in pairs), "choices of one item share the context"
        splits.append({"idx": idx, "context": pairs[0][0], "continuations": [p[1] for p in pairs]})
    out = evaluator.simple_evaluate(model=lm, tasks=[task], num_fewshot=0, task_manager=tm,
                                    log_samples=True, bootstrap_iters=100000)
    res = out["results"][task.config.task]
    samples = sorted(out["samples"][task.config.task], key=lambda s: s["doc_id"])
    items = []
    for s in samples:
        lls = [float(r[0]) for r in s["filtered_resps"]]
        greedy = [bool(r[1]) for r in s["filtered_resps"]]
        d = docs[s["doc_id"]]
        lens = np.array([float(len(c)) for c in d["choices"]])
        items.append({"idx": s["doc_id"], "gold": d["gold"], "ll": lls, "greedy": greedy,
                      "pred": int(np.argmax(lls)), "pred_norm": int(np.argmax(np.array(lls) / lens)),
                      "acc": s["acc"], "acc_norm": s["acc_norm"]})
    truncated = sum(1 for sp in splits for c in sp["continuations"]
                    if len(sp["context"]) + len(c) > MAX_LENGTH[name] + 1)
    return {
        "tokenizer": {"path": "fixtures/models/%s/tokenizer.json" % name,
                      "sha256": sha256(os.path.join(tok_dir, "tokenizer.json"))},
        "splits": splits,
        "run": {
            "max_length": MAX_LENGTH[name], "batch_size": BATCH_SIZE, "vocab": lm.fixture_vocab,
            "model": "synthetic: logit(prev, v) = 3 sin(0.37 prev + 0.11 v + 0.05 first + 0.013 pos),"
                     " float64; first = the window's first token, pos = the input position",
            "requests_truncated": truncated,
            "acc": res["acc,none"], "acc_stderr": nan_to_none(res["acc_stderr,none"]),
            "acc_norm": res["acc_norm,none"], "acc_norm_stderr": nan_to_none(res["acc_norm_stderr,none"]),
            "n": len(items), "items": items,
        },
    }


# ----------------------------------------------------------------------------- metric math

METRIC_RUNS = [
    # name, [(choices, gold, lls)]
    ("ties_and_length_norm", [
        (["a", "bb", "ccc", "dddd"], 0, [-1.0, -1.0, -2.0, -3.0]),      # tie: first max wins
        (["a", "bb", "ccc", "dddd"], 3, [-4.0, -4.0, -4.0, -4.0]),      # all equal: pred 0
        (["a", "bb", "ccc", "dddd"], 3, [-1.0, -1.5, -2.0, -2.5]),      # norm flips to 3
        (["xx", "x", "xxxx", "xxx"], 1, [-2.0, -1.0, -4.0, -3.0]),      # norm ties 0,1,2,3 -> 0
        (["\U0001f600", "ab", "abc", "abcd"], 0, [-1.2, -2.0, -3.3, -4.1]),  # emoji: 1 char
    ]),
    ("all_right", [(["p", "q", "r", "s"], i, [-5.0 + (2.0 if j == i else 0.0) for j in range(4)])
                   for i in range(4)]),
    ("single_item", [(["one", "two", "three", "four"], 2, [-3.0, -2.0, -1.0, -4.0])]),
    ("seeded", None),
]


def seeded_metric_docs(n=57, seed=7):
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        # distinct texts (the test's fake model finds each ll by its text), random lengths
        choices = ["abcd"[k] + "w" * rng.randint(0, 39) for k in range(4)]
        lls = [round(-rng.uniform(1, 60), 3) for _ in range(4)]
        docs.append((choices, rng.randrange(4), lls))
    return docs


def metric_cases(task):
    cases = []
    for name, docs in METRIC_RUNS:
        docs = docs if docs is not None else seeded_metric_docs()
        accs, norms, per = [], [], []
        for choices, gold, lls in docs:
            doc = {"query": "q", "choices": choices, "label": str(gold), "gold": gold}
            r = task.process_results(doc, [(ll, False) for ll in lls])
            lens = np.array([float(len(c)) for c in choices])
            per.append({"choices": choices, "gold": gold, "ll": lls, "pred": int(np.argmax(lls)),
                        "pred_norm": int(np.argmax(np.array(lls) / lens)),
                        "acc": r["acc"], "acc_norm": r["acc_norm"]})
            accs.append(r["acc"])
            norms.append(r["acc_norm"])
        n = len(per)
        cases.append({
            "name": name, "items": per, "n": n,
            "acc": lm_metrics.mean(accs),
            "acc_stderr": lm_metrics.mean_stderr(accs) if n > 1 else None,
            "acc_norm": lm_metrics.mean(norms),
            "acc_norm_stderr": lm_metrics.mean_stderr(norms) if n > 1 else None,
        })
    return cases


# ----------------------------------------------------------------------------- python semantics

STRING_CASES = [
    "", " ", "then", "THEN", "tHe MaN", "\u00dfe", "\u01c6emal", "\u01c4A", "\u0149x", "\ufb01ne",
    "\u1f50X", "a\u0130b", "\u0130I", "\u039f\u0394\u039f\u03a3", "\u039f\u0394\u039f\u03a3 \u039a\u0391\u0399",
    "\u03a3", "A\u03a3", "A\u03a3B", "A\u03a3.", "A\u03a3.B", "A\u03a3'", "A.\u03a3", "A\u0301\u03a3",
    "A\u03a3\u0301", "A\u03a3\u0301b", "1\u03a3", "\U0001d400\u03a3", "3 MEN", "\U0001f600 SMILE",
    "\u00e9T\u00c9", "  padded  ", NBSP + "x" + NBSP, FIGURE_SPACE + NARROW_NBSP + "x" + NEL,
    "\u200bx\u200b", "\u3000x\u3000", "\t\n\x0b\x0c\rx\x1c\x1d\x1e\x1f", "\u2028x\u2029",
    "\u1680x\u205f", "\ufeffx\ufeff", "x\u180e",
]

ARGMAX_CASES = [
    [1.0, 2.0, 2.0, 0.0], [-1.0, -1.0, -1.0, -1.0], [float("-inf"), -3.0, float("-inf"), -3.0],
    [float("-inf"), float("-inf")], [float("nan"), 1.0], [1.0, float("nan"), 5.0, float("nan")],
    [-0.0, 0.0], [0.0, -0.0], [float("inf"), float("nan")],
]


def python_semantics():
    strings = [{"s": s, "strip": s.strip(), "rstrip": s.rstrip(), "capitalize": s.capitalize(),
                "lower": s.lower(), "len": len(s)} for s in STRING_CASES]
    # JSON has no NaN or infinities: they travel as strings.
    enc = lambda x: x if math.isfinite(x) else repr(x)  # noqa: E731
    argmax = [{"values": [enc(v) for v in vs], "argmax": int(np.argmax(np.array(vs)))}
              for vs in ARGMAX_CASES]
    return {"strings": strings, "argmax": argmax}


# ----------------------------------------------------------------------------- main


def ensure_tokenizers():
    missing = [n for n in TOKENIZERS if not os.path.exists(os.path.join(FIXTURE_MODELS, n, "tokenizer.json"))]
    if not missing:
        return
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import make_tokenizers  # noqa: E402

    print("building missing tokenizer fixtures %s with make_tokenizers.py" % missing)
    built = make_tokenizers.build_all(4096)
    for n in missing:
        tok, cfg = built[TOKENIZERS[n]]
        make_tokenizers.save(tok, cfg, os.path.join(FIXTURE_MODELS, n))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--random-items", type=int, default=40)
    a = ap.parse_args()
    logging.getLogger("lm_eval").setLevel(logging.ERROR)
    ensure_tokenizers()
    os.makedirs(OUT, exist_ok=True)

    items = TRICKY + random_items(a.random_items)
    items_path = os.path.join(OUT, "hellaswag_items.jsonl")
    with open(items_path, "w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")
    write_parquet(items, os.path.join(OUT, "hellaswag_items.parquet"))
    write_parquet(malformed_rows(), os.path.join(OUT, "hellaswag_malformed.parquet"))
    for codec in CODECS:
        write_parquet(items[:CODEC_ITEMS], os.path.join(OUT, "hellaswag_items_%s.parquet" % codec), codec)

    with tempfile.TemporaryDirectory(prefix="kubetune-hellaswag-") as tmp:
        tm, task = load_task(items_path, tmp)
        docs = [{"query": d["query"], "choices": list(d["choices"]), "gold": d["gold"]}
                for d in task.validation_docs()]
        task.build_all_requests(rank=0, world_size=1)
        requests = [[] for _ in docs]
        for inst in sorted(task.instances, key=lambda i: (i.doc_id, i.idx)):
            requests[inst.doc_id].append(list(inst.args))
        for d, reqs in zip(docs, requests):
            d["requests"] = reqs
        models = {name: run_model(name, tm, task, docs, requests) for name in TOKENIZERS}
        metrics = metric_cases(task)

    ref = {
        "made_by": MADE_BY,
        "versions": {"lm_eval": lm_eval.__version__, "transformers": transformers.__version__,
                     "torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0]},
        "items_file": "eval/hellaswag_items.jsonl",
        "docs": docs,
        "models": models,
        "metric_cases": metrics,
        "python": python_semantics(),
    }
    with open(os.path.join(OUT, "hellaswag_reference.json"), "w", encoding="utf-8") as f:
        f.write(compact_json(ref) + "\n")
    for name, m in models.items():
        r = m["run"]
        print("%s: n=%d acc=%.4f acc_norm=%.4f truncated requests=%d" % (
            name, r["n"], r["acc"], r["acc_norm"], r["requests_truncated"]))


if __name__ == "__main__":
    main()
