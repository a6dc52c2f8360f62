"""PEFT 0.21.2 reference fixtures for kubetune's DoRA (LoraConfig(use_dora=True)):

1. dora-peft-written/ (tiny Llama) and dora-peft-written-gpt2/ (GPT-2: fused c_attn, Conv1D with
   fan_in_fan_out): adapters written by PEFT with random A and B and a magnitude scaled away from
   its initial row norms (else m / ||W + sBA|| = 1 and the magnitude would not be tested), with
   PEFT's logits for a prompt, adapted and after merge_and_unload.
2. dora-5-steps/ and dora-5-steps-gpt2/: PEFT's initial DoRA adapter (default init: B zero, the
   magnitude the row norms of W), fixed batches and the losses of 5 steps with torch AdamW,
   a cosine schedule with warm-up and global-norm clipping.
3. dora-kubetune-written/: an adapter kubetune wrote (copied in by --only-kubetune-written from
   the folder given), loaded into PEFT; PEFT's logits adapted and merged.

Run: tools/reference/.venv/bin/python tools/reference/make_dora_fixtures.py
"""
import json
import pathlib
import shutil
import sys

import peft
import torch
import transformers
from peft import LoraConfig, PeftModel, get_peft_model
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, get_cosine_schedule_with_warmup

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODELS = ROOT / "trainer-image/src/test/resources/fixtures/models"
OUT = ROOT / "trainer-image/src/test/resources/fixtures/peft"
VERSIONS = {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__}
MADE_BY = "tools/reference/make_dora_fixtures.py"
IDS = {"llama": [5, 17, 300, 42, 1001, 7, 2048, 99, 3, 64], "gpt2": [5, 17, 300, 42, 101, 7, 248, 99, 3, 64]}
TARGETS = {"llama": ["q_proj", "v_proj", "down_proj"], "gpt2": ["c_attn", "c_fc"]}


def load_base(name):
    # GPT-2's config asks for dropout 0.1 in the model; kubetune trains without model dropout, so
    # the training fixtures switch it off (LoRA dropout is 0 too): the curves then differ only by
    # arithmetic.
    no_dropout = {"resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0} if name == "gpt2" else {}
    return AutoModelForCausalLM.from_pretrained(MODELS / name, attn_implementation="eager",
                                                dtype=torch.float32, **no_dropout).eval()


def save_adapter(model, out):
    model.save_pretrained(out)
    (out / "README.md").unlink(missing_ok=True)


def record_logits(model, name, out, note):
    ids = torch.tensor([IDS[name]])
    with torch.no_grad():
        adapted = model(input_ids=ids).logits[0]
        merged = model.merge_and_unload()(input_ids=ids).logits[0]
        base = load_base(name)(input_ids=ids).logits[0]
    assert (adapted - base).abs().max() > 1e-3, "the adapter must change the model"
    save_file({"logits": adapted.contiguous(), "merged": merged.contiguous()},
              out / "reference_logits.safetensors")
    (out / "reference.json").write_text(json.dumps({
        "made_by": MADE_BY + note, "versions": VERSIONS, "input_ids": IDS[name]}, indent=1) + "\n")


def peft_written(name, seed):
    torch.manual_seed(seed)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=TARGETS[name], lora_dropout=0.0,
                        init_lora_weights=False, use_dora=True, fan_in_fan_out=name == "gpt2",
                        task_type="CAUSAL_LM")
    model = get_peft_model(load_base(name), config).eval()
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "lora_magnitude_vector" in n:
                p.mul_(1 + 0.2 * torch.randn_like(p))
    out = OUT / ("dora-peft-written" + ("-gpt2" if name == "gpt2" else ""))
    save_adapter(model, out)
    record_logits(model, name, out, "")


def five_steps(name, seed):
    torch.manual_seed(seed)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=TARGETS[name], lora_dropout=0.0,
                        use_dora=True, fan_in_fan_out=name == "gpt2", task_type="CAUSAL_LM")
    model = get_peft_model(load_base(name), config)
    model.train()
    out = OUT / ("dora-5-steps" + ("-gpt2" if name == "gpt2" else ""))
    save_adapter(model, out / "initial-adapter")
    vocab = model.config.vocab_size
    generator = torch.Generator().manual_seed(5)
    distinct = []
    for _ in range(2):
        ids = torch.randint(0, min(vocab, 4096), (2, 12), generator=generator)
        mask = torch.ones_like(ids)
        mask[1, 9:] = 0                      # right padding in the second row
        labels = ids.clone()
        labels[:, :4] = -100                 # a masked prompt
        labels[mask == 0] = -100
        distinct.append((ids, mask, labels))
    # Two batches in turn, so the adapter visibly learns them and an error in an update shows.
    batches = (distinct * 3)[:5]
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=2e-2, weight_decay=0.01)
    scheduler = get_cosine_schedule_with_warmup(optimizer, 1, 5)
    losses = []
    for ids, mask, labels in batches:
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
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
                    for i, m, l in batches],
        "losses": losses}, indent=1) + "\n")
    print(name, "losses", [round(x, 4) for x in losses])


def kubetune_written(source):
    """Loads an adapter kubetune wrote into PEFT and records PEFT's logits, adapted and merged."""
    out = OUT / "dora-kubetune-written"
    out.mkdir(parents=True, exist_ok=True)
    for f in ("adapter_config.json", "adapter_model.safetensors"):
        shutil.copy(pathlib.Path(source) / f, out / f)
    model = PeftModel.from_pretrained(load_base("llama"), out).eval()
    assert model.peft_config["default"].use_dora
    record_logits(model, "llama", out, " (adapter written by kubetune: DoraParityTest's training)")


if __name__ == "__main__":
    if "--only-kubetune-written" in sys.argv:
        kubetune_written(sys.argv[sys.argv.index("--only-kubetune-written") + 1])
    else:
        peft_written("llama", 31)
        peft_written("gpt2", 37)
        five_steps("llama", 41)
        five_steps("gpt2", 43)
