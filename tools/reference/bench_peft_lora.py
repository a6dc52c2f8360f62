"""Tokens/s of LoRA SFT steps with transformers + peft, for comparison with `kubetune train`:
a GPT-2-small-shaped model (12 x 768, vocabulary of the given model folder), LoRA r=8 on c_fc and
c_proj, AdamW, batch 8 x 128, fp32 on CPU.

Run: tools/reference/.venv/bin/python tools/reference/bench_peft_lora.py MODEL_DIR [--threads 2]
"""
import argparse
import time

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=8)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32)
    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules=["c_fc", "c_proj"],
                                             lora_dropout=0.0, fan_in_fan_out=True, task_type="CAUSAL_LM"))
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    ids = torch.randint(0, model.config.vocab_size, (8, 128))
    for step in range(args.steps):
        started = time.perf_counter()
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        seconds = time.perf_counter() - started
        print(f"step {step + 1}: {seconds:.2f} s, {8 * 128 / seconds:.0f} tok/s, loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
