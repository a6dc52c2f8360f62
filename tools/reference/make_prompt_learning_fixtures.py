"""PEFT 0.21.2 reference fixtures for kubetune's prompt learning: prompt tuning, prefix tuning and
P-tuning (MLP and LSTM encoders), on the tiny Llama (grouped-query: 4 heads, 2 key/value heads)
and the tiny GPT-2 of fixtures/models. Everything under prompt-learning/:

1. M-peft-written[-gpt2]/ for M in prompt-tuning, prefix-tuning, p-tuning: an adapter written by
   PEFT (random init, so the virtual tokens are far from any real token), reloaded as a user
   would, and PEFT's logits for a prompt at the prompt's own positions (PEFT returns nvt more for
   prompt and P-tuning: those of the virtual tokens).
2. M-5-steps[-gpt2]/ (also p-tuning-lstm): PEFT's initial adapter (P-tuning: also its encoder's
   weights, initial-encoder.safetensors, since PEFT saves only the encoder's output), two fixed
   padded batches in turn and the losses of 5 steps with torch AdamW, a cosine schedule with
   warm-up and global-norm clipping. The first batch's labels start at position 0, so the loss of
   the first token predicted from the last virtual token (PEFT grows the labels with -100) counts;
   the loss is normalised as transformers' Trainer does: the summed token losses over the count
   of labels[..., 1:] that are not -100 (counted before PEFT grows the labels). The LSTM encoder
   has no peft-written fixture: its saved adapter is its output, a table like the MLP's.
3. prompt-tuning-text-init[-gpt2]/: PEFT's TEXT init (9 virtual tokens from a shorter text on
   Llama: cycled; 3 from a longer one on GPT-2: cut), the text's token ids.
4. M-kubetune-written/: an adapter kubetune trained (PromptLearningParityTest writes
   trainer-image/target/M-trained-adapter), loaded by PEFT, with PEFT's logits:
   --only-kubetune-written M trainer-image/target/M-trained-adapter

Pinned: torch 2.15, transformers 5.23, peft 0.21.2 (tools/reference/.venv).
Run: tools/reference/.venv/bin/python tools/reference/make_prompt_learning_fixtures.py
     [--only-lstm | --only-text-init | --only-kubetune-written M DIR]
"""
import json
import pathlib
import shutil
import sys

import peft
import torch
import transformers
from peft import (PeftModel, PrefixTuningConfig, PromptEncoderConfig, PromptTuningConfig,
                  get_peft_model)
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, get_cosine_schedule_with_warmup

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODELS = ROOT / "trainer-image/src/test/resources/fixtures/models"
OUT = ROOT / "trainer-image/src/test/resources/fixtures/peft/prompt-learning"
VERSIONS = {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__}
MADE_BY = "tools/reference/make_prompt_learning_fixtures.py"
IDS = {"llama": [5, 17, 300, 42, 1001, 7, 2048, 99, 3, 64], "gpt2": [5, 17, 300, 42, 101, 7, 248, 99, 3, 64]}
NVT = 4


def load_base(name):
    no_dropout = {"resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0} if name == "gpt2" else {}
    return AutoModelForCausalLM.from_pretrained(MODELS / name, attn_implementation="eager",
                                                dtype=torch.float32, **no_dropout).eval()


def config(method):
    if method == "prompt-tuning":
        return PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=NVT, prompt_tuning_init="RANDOM")
    if method == "prefix-tuning":
        return PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=NVT)
    if method == "p-tuning-lstm":
        return PromptEncoderConfig(task_type="CAUSAL_LM", num_virtual_tokens=NVT,
                                   encoder_reparameterization_type="LSTM", encoder_hidden_size=16)
    return PromptEncoderConfig(task_type="CAUSAL_LM", num_virtual_tokens=NVT,
                               encoder_reparameterization_type="MLP", encoder_hidden_size=32)


def folder(method, kind, name):
    return OUT / (method + "-" + kind + ("-gpt2" if name == "gpt2" else ""))


def save_adapter(model, out):
    model.save_pretrained(out)
    (out / "README.md").unlink(missing_ok=True)


def real_logits(model, method, ids, mask=None):
    logits = model(input_ids=ids, attention_mask=mask).logits
    return logits[:, NVT:] if method != "prefix-tuning" else logits


def record_logits(model, method, name, out, note=""):
    ids = torch.tensor([IDS[name]])
    with torch.no_grad():
        adapted = real_logits(model, method, ids)[0]
        base = load_base(name)(input_ids=ids).logits[0]
    assert adapted.shape == base.shape
    assert (adapted - base).abs().max() > 1e-3, "the adapter must change the model"
    save_file({"logits": adapted.contiguous()}, out / "reference_logits.safetensors")
    (out / "reference.json").write_text(json.dumps({
        "made_by": MADE_BY + note, "versions": VERSIONS, "input_ids": IDS[name]}, indent=1) + "\n")


def peft_written(method, name, seed):
    torch.manual_seed(seed)
    model = get_peft_model(load_base(name), config(method)).eval()
    out = folder(method, "peft-written", name)
    save_adapter(model, out)
    # What the file holds is what counts: reload it as a user would.
    reloaded = PeftModel.from_pretrained(load_base(name), out).eval()
    record_logits(reloaded, method, name, out)


def batches(vocab):
    generator = torch.Generator().manual_seed(5)
    distinct = []
    for b in range(2):
        ids = torch.randint(0, min(vocab, 4096), (2, 12), generator=generator)
        mask = torch.ones_like(ids)
        mask[1, 9:] = 0                      # right padding in the second row
        labels = ids.clone()
        if b == 1:
            labels[:, :4] = -100             # a masked prompt; batch 0 counts its first token
        labels[mask == 0] = -100
        distinct.append((ids, mask, labels))
    return (distinct * 3)[:5]


def trainer_loss(model, method, ids, mask, labels):
    """transformers' Trainer: summed CE over PEFT's (grown) labels / count of labels[..., 1:]."""
    logits = model(input_ids=ids, attention_mask=mask).logits
    grown = labels if method == "prefix-tuning" else torch.cat(
        [torch.full((labels.shape[0], NVT), -100), labels], dim=1)
    summed = torch.nn.functional.cross_entropy(
        logits[:, :-1].reshape(-1, logits.shape[-1]).float(), grown[:, 1:].reshape(-1),
        ignore_index=-100, reduction="sum")
    return summed / (labels[:, 1:] != -100).sum()


def five_steps(method, name, seed):
    torch.manual_seed(seed)
    model = get_peft_model(load_base(name), config(method))
    model.train()
    out = folder(method, "5-steps", name)
    save_adapter(model, out / "initial-adapter")
    if method.startswith("p-tuning"):
        encoder = model.prompt_encoder["default"]
        save_file({k: v.detach().contiguous() for k, v in encoder.state_dict().items()},
                  out / "initial-encoder.safetensors")
    steps = batches(model.config.vocab_size)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=2e-2, weight_decay=0.01)
    scheduler = get_cosine_schedule_with_warmup(optimizer, 1, 5)
    losses = []
    for ids, mask, labels in steps:
        loss = trainer_loss(model, method, ids, mask, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    (out / "reference.json").write_text(json.dumps({
        "made_by": MADE_BY, "versions": VERSIONS,
        "learning_rate": 2e-2, "weight_decay": 0.01, "warmup_steps": 1, "total_steps": 5,
        "max_grad_norm": 1.0,
        "batches": [{"input_ids": i.tolist(), "attention_mask": m.tolist(), "labels": l.tolist()}
                    for i, m, l in steps],
        "losses": losses}, indent=1) + "\n")
    print(method, name, "losses", [round(x, 4) for x in losses])


def kubetune_written(method, source):
    """Loads an adapter kubetune wrote into PEFT and records PEFT's logits."""
    out = OUT / (method + "-kubetune-written")
    out.mkdir(parents=True, exist_ok=True)
    for f in ("adapter_config.json", "adapter_model.safetensors"):
        shutil.copy(pathlib.Path(source) / f, out / f)
    model = PeftModel.from_pretrained(load_base("llama"), out).eval()
    record_logits(model, method, "llama", out, " (adapter written by kubetune's training)")


def text_init():
    """PEFT's TEXT init on the tiny Llama: the embeddings of tokenizer(text) ids, cycled to nvt."""
    for name, count, text in (("llama", 9, "Define the word:"), ("gpt2", 3, "Define the word:")):
        config = PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=count,
                                    prompt_tuning_init="TEXT", prompt_tuning_init_text=text,
                                    tokenizer_name_or_path=str(MODELS / name))
        model = get_peft_model(load_base(name), config)
        out = OUT / ("prompt-tuning-text-init" + ("-gpt2" if name == "gpt2" else ""))
        save_adapter(model, out)
        tokenizer = transformers.AutoTokenizer.from_pretrained(MODELS / name)
        (out / "reference.json").write_text(json.dumps({
            "made_by": MADE_BY, "versions": VERSIONS, "init_text": text,
            "text_ids": tokenizer(text)["input_ids"]}, indent=1) + "\n")


METHODS = ["prompt-tuning", "prefix-tuning", "p-tuning"]

if __name__ == "__main__" and "--only-text-init" in sys.argv:
    text_init()
    sys.exit(0)

if __name__ == "__main__" and "--only-lstm" in sys.argv:
    five_steps("p-tuning-lstm", "llama", 91)
    five_steps("p-tuning-lstm", "gpt2", 92)
    sys.exit(0)

if __name__ == "__main__":
    if "--only-kubetune-written" in sys.argv:
        i = sys.argv.index("--only-kubetune-written")
        kubetune_written(sys.argv[i + 1], sys.argv[i + 2])
    else:
        for k, m in enumerate(METHODS):
            peft_written(m, "llama", 51 + k)
            peft_written(m, "gpt2", 61 + k)
            five_steps(m, "llama", 71 + k)
            five_steps(m, "gpt2", 81 + k)
        # LSTM: PEFT saves only its output, so its written adapter is a table as for MLP; what
        # differs is training through the encoder (and the initial output, initial-adapter).
        five_steps("p-tuning-lstm", "llama", 91)
        five_steps("p-tuning-lstm", "gpt2", 92)
        text_init()
