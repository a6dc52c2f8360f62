"""transformers + PEFT doing what `kubetune bench --task dpo-lora` does, on the same shape: BATCH pairs
of random rows (chosen and rejected share the first half, the prompt, masked with -100), LoRA r 8 /
alpha 16 on all linear layers, the sigmoid DPO loss (beta 0.1) as TRL 1.16's DPOTrainer computes it
(one forward of the concatenated chosen + rejected rows, per-sequence summed log-probs, the
reference as the same model with its adapter disabled under no_grad), AdamW. TRL's trainer itself
wants text and a tokenizer; this is its computation on token ids, without its data pipeline.

Run: tools/reference/.venv/bin/python tools/reference/bench_dpo_lora.py --shape gpt2-small --layers 4 \
        --batch 1 --seq 512 --steps 2 --threads 2
"""
import argparse
import resource
import statistics
import time

import torch
import torch.nn.functional as F
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

from bench_sft_lora import SHAPES


def sequence_logps(model, ids, labels):
    logits = model(input_ids=ids).logits[:, :-1].float()
    targets = labels[:, 1:]
    mask = targets != -100
    picked = logits.log_softmax(-1).gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (picked * mask).sum(-1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", choices=SHAPES, default="gpt2-small")
    p.add_argument("--layers", type=int)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--seq", type=int, default=512)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--steps", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(42)
    config = SHAPES[a.shape](a.layers)
    config._attn_implementation = "sdpa"
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules="all-linear",
                                             lora_dropout=0.0, task_type="CAUSAL_LM"))
    model.train()
    optimizer = torch.optim.AdamW([q for q in model.parameters() if q.requires_grad], lr=1e-4)
    chosen = torch.randint(0, config.vocab_size, (a.batch, a.seq))
    rejected = torch.randint(0, config.vocab_size, (a.batch, a.seq))
    rejected[:, : a.seq // 2] = chosen[:, : a.seq // 2]
    ids = torch.cat([chosen, rejected])
    labels = ids.clone()
    labels[:, : a.seq // 2] = -100
    seconds = []
    for step in range(a.warmup + a.steps):
        started = time.perf_counter()
        policy = sequence_logps(model, ids, labels)
        with torch.no_grad(), model.disable_adapter():
            reference = sequence_logps(model, ids, labels)
        ratios = (policy - reference).view(2, a.batch)
        loss = -F.logsigmoid(0.1 * (ratios[0] - ratios[1])).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if step >= a.warmup:
            seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"transformers dpo {a.shape} x{config.num_hidden_layers} layers: median {median:.3f} s of "
          f"{len(seconds)} ({' '.join(f'{s:.2f}' for s in seconds)}), "
          f"{2 * a.batch * a.seq / median:.0f} tokens/s, peak RSS {rss:.0f} MiB "
          f"(torch {torch.__version__}, {a.threads} threads)")


if __name__ == "__main__":
    main()
