"""bitsandbytes 0.50.2 (CPU) reference fixtures for kubetune's int8 and NF4 base weights:

1. quant/weights.safetensors: weight tensors (the tiny Llama's q_proj and down_proj, a wide random
   one with outliers) and for each what bitsandbytes makes of it on this CPU:
   int8 (Int8Params: weight cast to fp16, int8_vectorwise_quant): <name>.CB, <name>.SCB, and
   <name>.int8_dequant as the CPU training path computes it (MatMul8bitFp: CB * (SCB * 1/127));
   NF4 without double quant: <name>.nf4, <name>.nf4_absmax, <name>.nf4_dequant;
   NF4 with double quant (blocks of 256, offset = mean): <name>.dq_nf4, <name>.dq_absmax (uint8),
   <name>.dq_nested_absmax, <name>.dq_offset, <name>.dq_nested_code, <name>.dq_dequant.
   The weights' last dimension is a multiple of 64: bitsandbytes 0.50.2's CPU dequantize_4bit
   kernel does not follow its own flat blocks otherwise (checked on a [160, 224] weight: 32094 of
   35840 values differ from code[q] * absmax), which real models never meet.
   scales.*: 8-bit blockwise quantization (dynamic map, blocks of 256) of 16,384 values shaped as
   centred NF4 scales are (most near zero, one block all zero, some exactly +-absmax), the kernel
   that quantizes double-quantized scales: scales (input), scales.codes, scales.absmax. Its CPU
   kernel reads codes from a 65,536-bin table over [-1, 1], which near zero is not the nearest
   code (about 1 value in 200 here); kubetune reproduces the table.
2. qlora-5-steps/, qlora-nf4-single-5-steps/ and qlora-int8-5-steps/: the tiny Llama loaded by
   transformers with a BitsAndBytesConfig (nf4 with / without double quant, int8; compute float32)
   on CPU, PEFT LoRA (qdora-nf4-5-steps/: DoRA) on q_proj and
   v_proj (default init), 5 steps in training mode (bitsandbytes' CPU training path: dequantize,
   then a float matmul), AdamW, cosine schedule with warm-up, clipping; the losses.

Run: tools/reference/.venv/bin/python tools/reference/make_quant_fixtures.py
"""
import json
import pathlib

import bitsandbytes
import bitsandbytes.functional as F
import peft
import torch
import transformers
from peft import LoraConfig, get_peft_model
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM, BitsAndBytesConfig, get_cosine_schedule_with_warmup

ROOT = pathlib.Path(__file__).resolve().parents[2]
LLAMA = ROOT / "trainer-image/src/test/resources/fixtures/models/llama"
OUT = ROOT / "trainer-image/src/test/resources/fixtures/quant"
VERSIONS = {"torch": torch.__version__, "transformers": transformers.__version__,
            "peft": peft.__version__, "bitsandbytes": bitsandbytes.__version__}
MADE_BY = "tools/reference/make_quant_fixtures.py"


def quantized(name, w, out):
    out[name] = w.contiguous()
    cb, scb, _ = F.int8_vectorwise_quant(w.to(torch.float16))
    out[name + ".CB"], out[name + ".SCB"] = cb, scb
    out[name + ".int8_dequant"] = cb.to(torch.float32).mul_(scb.unsqueeze(1).mul(1.0 / 127.0))
    q, st = F.quantize_4bit(w, blocksize=64, quant_type="nf4", compress_statistics=False)
    out[name + ".nf4"], out[name + ".nf4_absmax"] = q.flatten(), st.absmax
    out[name + ".nf4_dequant"] = F.dequantize_4bit(q, st)
    q, st = F.quantize_4bit(w, blocksize=64, quant_type="nf4", compress_statistics=True)
    out[name + ".dq_nf4"], out[name + ".dq_absmax"] = q.flatten(), st.absmax
    out[name + ".dq_nested_absmax"], out[name + ".dq_offset"] = st.state2.absmax, st.offset.reshape(1)
    out[name + ".dq_nested_code"] = st.state2.code
    out[name + ".dq_dequant"] = F.dequantize_4bit(q, st)


def weights():
    base = load_file(LLAMA / "model.safetensors")
    torch.manual_seed(51)
    wide = torch.randn(96, 256) * 0.02   # 384 blocks of 64: nested blocks of 256 and 128
    wide[3, 17], wide[60, 5], wide[90, 200] = 0.9, -1.3, 2.0   # outliers, as real weights have
    out = {}
    quantized("q_proj", base["model.layers.0.self_attn.q_proj.weight"], out)
    quantized("down_proj", base["model.layers.1.mlp.down_proj.weight"], out)
    quantized("wide", wide, out)
    scales = torch.randn(16384) * 0.004 * torch.rand(16384) ** 3   # heavy near zero
    scales[256:512] = 0.0
    scales[1000], scales[5000] = 0.05, -0.05
    codes, state = F.quantize_blockwise(scales, blocksize=256)
    out["scales"], out["scales.codes"], out["scales.absmax"] = scales, codes, state.absmax
    OUT.mkdir(parents=True, exist_ok=True)
    # Codes are stored as float32 (exact for 8-bit integers): kubetune reads F32/F16/BF16 files.
    save_file({k: v.float().contiguous() for k, v in out.items()}, OUT / "weights.safetensors")


def five_steps(config, folder, dora=False):
    torch.manual_seed(61)
    model = AutoModelForCausalLM.from_pretrained(LLAMA, quantization_config=config, device_map="cpu",
                                                 dtype=torch.float32, attn_implementation="eager")
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], lora_dropout=0.0,
                      use_dora=dora, task_type="CAUSAL_LM")
    model = get_peft_model(model, lora)
    model.train()
    out = OUT / folder
    model.save_pretrained(out / "initial-adapter")
    (out / "initial-adapter" / "README.md").unlink(missing_ok=True)
    generator = torch.Generator().manual_seed(5)
    distinct = []
    for _ in range(2):
        ids = torch.randint(0, 4096, (2, 12), generator=generator)
        mask = torch.ones_like(ids)
        mask[1, 9:] = 0
        labels = ids.clone()
        labels[:, :4] = -100
        labels[mask == 0] = -100
        distinct.append((ids, mask, labels))
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
        "made_by": MADE_BY, "versions": VERSIONS, "quantization": config.to_dict(),
        "learning_rate": 2e-2, "weight_decay": 0.01, "warmup_steps": 1, "total_steps": 5,
        "max_grad_norm": 1.0,
        "batches": [{"input_ids": i.tolist(), "attention_mask": m.tolist(), "labels": l.tolist()}
                    for i, m, l in batches],
        "losses": losses}, indent=1, default=str) + "\n")
    print(folder, [round(x, 4) for x in losses])


if __name__ == "__main__":
    import sys
    weights()
    if "--only-weights" in sys.argv:
        sys.exit()
    five_steps(BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                  bnb_4bit_use_double_quant=True,
                                  bnb_4bit_compute_dtype=torch.float32), "qlora-5-steps")
    five_steps(BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                  bnb_4bit_use_double_quant=False,
                                  bnb_4bit_compute_dtype=torch.float32), "qlora-nf4-single-5-steps")
    five_steps(BitsAndBytesConfig(load_in_8bit=True), "qlora-int8-5-steps")
    five_steps(BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                  bnb_4bit_use_double_quant=False,
                                  bnb_4bit_compute_dtype=torch.float32), "qdora-nf4-5-steps", dora=True)
