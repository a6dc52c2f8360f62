"""PEFT reference fixtures for the Java LoRA:

1. peft-written/: an adapter written by PEFT (random A and B, so it changes the output) for the
   tiny llama fixture, with PEFT's logits for a prompt: the Java reader must reproduce them.
2. sft-10-steps/: PEFT's initial adapter (default init: A kaiming-uniform, B zero), fixed batches,
   and the per-step losses of 10 steps of LoRA SFT with torch AdamW, a cosine warm-up schedule and
   global-norm clipping: the Java trainer must follow the same curve.

Run: tools/reference/.venv/bin/python tools/reference/make_peft_fixtures.py
"""
import json
import pathlib

import peft
import torch
import transformers
from peft import LoraConfig, PeftModel, get_peft_model
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, get_cosine_schedule_with_warmup

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "trainer-image/src/test/resources/fixtures/models/llama"
OUT = ROOT / "trainer-image/src/test/resources/fixtures/peft"
VERSIONS = {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__}


def load_base():
    return AutoModelForCausalLM.from_pretrained(MODEL, attn_implementation="eager", dtype=torch.float32).eval()


def peft_written():
    torch.manual_seed(11)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"],
                        lora_dropout=0.0, init_lora_weights=False, task_type="CAUSAL_LM")
    model = get_peft_model(load_base(), config).eval()
    out = OUT / "peft-written"
    model.save_pretrained(out)
    ids = torch.tensor([[5, 17, 300, 42, 1001, 7, 2048, 99, 3, 64]])
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0]
    save_file({"logits": logits.contiguous()}, out / "reference_logits.safetensors")
    (out / "reference.json").write_text(json.dumps({
        "made_by": "tools/reference/make_peft_fixtures.py", "versions": VERSIONS,
        "input_ids": ids[0].tolist()}, indent=1) + "\n")


def peft_written_gpt2():
    """GPT-2 keeps q, k and v in one Conv1D (c_attn): PEFT adapts it as one module with
    lora_B [3 * width, r] and fan_in_fan_out; the Java reader must cut B's rows for q, k and v."""
    torch.manual_seed(13)
    gpt2 = ROOT / "trainer-image/src/test/resources/fixtures/models/gpt2"
    base = AutoModelForCausalLM.from_pretrained(gpt2, attn_implementation="eager", dtype=torch.float32).eval()
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["c_attn", "c_fc"], lora_dropout=0.0,
                        init_lora_weights=False, fan_in_fan_out=True, task_type="CAUSAL_LM")
    model = get_peft_model(base, config).eval()
    out = OUT / "peft-written-gpt2"
    model.save_pretrained(out)
    ids = torch.tensor([[5, 17, 300, 42, 101, 7, 248, 99, 3, 64]])
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0]
        merged = model.merge_and_unload()(input_ids=ids).logits[0]
    save_file({"logits": logits.contiguous(), "merged": merged.contiguous()},
              out / "reference_logits.safetensors")
    (out / "reference.json").write_text(json.dumps({
        "made_by": "tools/reference/make_peft_fixtures.py", "versions": VERSIONS,
        "input_ids": ids[0].tolist()}, indent=1) + "\n")


def sft_ten_steps():
    torch.manual_seed(23)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], lora_dropout=0.0,
                        task_type="CAUSAL_LM")
    model = get_peft_model(load_base(), config)
    model.train()
    out = OUT / "sft-10-steps"
    model.save_pretrained(out / "initial-adapter")
    vocab = model.config.vocab_size
    generator = torch.Generator().manual_seed(5)
    distinct = []
    for _ in range(2):
        ids = torch.randint(0, vocab, (2, 12), generator=generator)
        mask = torch.ones_like(ids)
        mask[1, 9:] = 0                      # right padding in the second row
        labels = ids.clone()
        labels[:, :4] = -100                 # a masked prompt
        labels[mask == 0] = -100
        distinct.append((ids, mask, labels))
    # Two batches seen in turn, so the adapter visibly learns them and any error in the updates
    # shows in the losses.
    batches = distinct * 5
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=2e-2, weight_decay=0.01)
    scheduler = get_cosine_schedule_with_warmup(optimizer, 2, 10)
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
        "made_by": "tools/reference/make_peft_fixtures.py", "versions": VERSIONS,
        "learning_rate": 2e-2, "weight_decay": 0.01, "warmup_steps": 2, "total_steps": 10,
        "max_grad_norm": 1.0, "r": 4, "lora_alpha": 8,
        "batches": [{"input_ids": i.tolist(), "attention_mask": m.tolist(), "labels": l.tolist()}
                    for i, m, l in batches],
        "losses": losses}, indent=1) + "\n")
    print("losses", [round(x, 4) for x in losses])


def kubetune_written():
    """Loads an adapter that kubetune's trainer wrote into PEFT and records PEFT's logits, with
    the adapter applied and after merge_and_unload."""
    out = OUT / "kubetune-written"
    ids = torch.tensor([[5, 17, 300, 42, 1001, 7, 2048, 99, 3, 64]])
    model = PeftModel.from_pretrained(load_base(), out).eval()
    with torch.no_grad():
        adapted = model(input_ids=ids).logits[0]
        merged = model.merge_and_unload()(input_ids=ids).logits[0]
        base = load_base()(input_ids=ids).logits[0]
    assert (adapted - base).abs().max() > 1e-3, "the adapter must change the model"
    save_file({"adapted": adapted.contiguous(), "merged": merged.contiguous()},
              out / "reference_logits.safetensors")
    (out / "reference.json").write_text(json.dumps({
        "made_by": "tools/reference/make_peft_fixtures.py (adapter written by kubetune train"
                   " trainer-image/src/test/resources/jobs/tiny-lora.yaml)",
        "versions": VERSIONS, "input_ids": ids[0].tolist()}, indent=1) + "\n")


if __name__ == "__main__":
    import sys
    if "--only-kubetune-written" in sys.argv:
        kubetune_written()
    elif "--only-gpt2" in sys.argv:
        peft_written_gpt2()
    else:
        peft_written()
        peft_written_gpt2()
        sft_ten_steps()
        kubetune_written()
