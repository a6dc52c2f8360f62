"""transformers + PEFT doing what `kubetune bench --task sft-lora` does, on the same shape: a random
model (gpt2-small, llama-100m or qwen2.5-0.5b, layers overridable), rows of random tokens whose
first half is masked as prompt (labels -100), LoRA r 8 / alpha 16 on every linear layer but the
head ("all-linear"), AdamW, fp32 (or --device cuda --dtype bf16 on a GPU). Prints the median step, tokens/s and peak RSS in the lines
tools/bench/sft-lora.sh compares.

Run: tools/reference/.venv/bin/python tools/reference/bench_sft_lora.py --shape gpt2-small --layers 12 \
        --batch 1 --seq 512 --steps 3 --threads 2
"""
import argparse
import resource
import statistics
import time

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, GPT2Config, LlamaConfig, Qwen2Config

# The same numbers as kubetune's bench presets (ModelShape.preset).
SHAPES = {
    "gpt2-small": lambda layers: GPT2Config(
        n_layer=layers or 12, n_embd=768, n_head=12, n_inner=3072, vocab_size=50257,
        n_positions=1024),
    "llama-100m": lambda layers: LlamaConfig(
        num_hidden_layers=layers or 12, hidden_size=768, num_attention_heads=12,
        num_key_value_heads=4, intermediate_size=2048, vocab_size=32000,
        max_position_embeddings=1024, rms_norm_eps=1e-5, tie_word_embeddings=True),
    "qwen2.5-0.5b": lambda layers: Qwen2Config(
        num_hidden_layers=layers or 24, hidden_size=896, num_attention_heads=14,
        num_key_value_heads=2, intermediate_size=4864, vocab_size=151936,
        max_position_embeddings=32768, rope_theta=1e6, tie_word_embeddings=True),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", choices=SHAPES, default="gpt2-small")
    p.add_argument("--layers", type=int)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--seq", type=int, default=512)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--dtype", choices=["fp32", "fp16", "bf16"], default="fp32")
    a = p.parse_args()
    dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[a.dtype]
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(42)
    config = SHAPES[a.shape](a.layers)
    config._attn_implementation = "sdpa"
    model = AutoModelForCausalLM.from_config(config, dtype=dtype).to(a.device)
    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules="all-linear",
                                             lora_dropout=0.0, task_type="CAUSAL_LM"))
    model.train()
    optimizer = torch.optim.AdamW([q for q in model.parameters() if q.requires_grad], lr=1e-4)
    ids = torch.randint(0, config.vocab_size, (a.batch, a.seq), device=a.device)
    labels = ids.clone()
    labels[:, : a.seq // 2] = -100
    seconds = []
    for step in range(a.warmup + a.steps):
        started = time.perf_counter()
        loss = model(input_ids=ids, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if a.device.startswith("cuda"):
            torch.cuda.synchronize()
        if step >= a.warmup:
            seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if a.device.startswith("cuda"):
        print(f"peak GPU memory {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB")
    print(f"transformers {a.shape} x{config.num_hidden_layers} layers: median {median:.3f} s of "
          f"{len(seconds)} ({' '.join(f'{s:.2f}' for s in seconds)}), "
          f"{a.batch * a.seq / median:.0f} tokens/s, peak RSS {rss:.0f} MiB "
          f"(torch {torch.__version__}, {a.threads} threads, {a.dtype} on {a.device})")


if __name__ == "__main__":
    main()
