"""TRL's GRPOTrainer doing what `kubetune bench --task grpo-update` does: one GRPO update on fixed
completions (loss, backward, gradient clipping, AdamW step), LoRA r 8 / alpha 16 on every linear
layer but the head, on a random model of a named shape (the presets of bench_sft_lora.py). The
completions are handed to the trainer by TRL's own `rollout_func` hook (as make_grpo_fixtures.py
does), with the same token ids, lengths and rewards as kubetune's side
(GrpoUpdateBenchmark): prompt p's token t is (p*7919 + t*104729 + 1) mod vocab, answer r's token t
(r*15485863 + t*32452843 + 3) mod vocab, answer r has max - (r mod 4)*max/8 tokens, reward
(r mod 5)/4. TRL's defaults otherwise (loss dapo, beta 0, epsilon 0.2, temperature 1,
num_iterations 1), but gradient checkpointing off (GRPOConfig turns it on by default; kubetune's
bench does not checkpoint; --gradient-checkpointing times TRL's default). Scoring the rollout
(_generate_and_score_completions: rewards, advantages, padding) runs once, untimed; each timed
update is compute_loss + backward + clip_grad_norm_(1.0) + AdamW step + zero_grad.
Pinned: torch 2.15, transformers 5.23.0, trl 1.16.0, peft 0.21.2.

Run: tools/reference/.venv/bin/python tools/reference/bench_grpo_update.py --shape llama-100m \
        --layers 4 --prompts 4 --generations 8 --prompt-length 64 --completion-length 128
"""
import argparse
import logging
import resource
import statistics
import time
import warnings

import torch
import transformers
import trl
from datasets import Dataset
from peft import LoraConfig
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast
from tokenizers import Tokenizer, models

from bench_sft_lora import SHAPES


def completion_length(row, longest):
    return max(1, longest - (row % 4) * longest // 8)


def stub_tokenizer(vocab):
    """GRPOTrainer wants a processing class; the ids never go through it (rollout_func gives them)."""
    tok = Tokenizer(models.WordLevel({"<pad>": 0, "<unk>": 1}, unk_token="<unk>"))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<pad>",
                                   unk_token="<unk>")
    return fast


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", choices=SHAPES, default="llama-100m")
    p.add_argument("--layers", type=int)
    p.add_argument("--prompts", type=int, default=4)
    p.add_argument("--generations", type=int, default=8)
    p.add_argument("--prompt-length", type=int, default=64)
    p.add_argument("--completion-length", type=int, default=128)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--gradient-checkpointing", action="store_true")
    p.add_argument("--profile", action="store_true",
                   help="after the timed updates, profile one more with torch.profiler and print"
                        " its top ops by self CPU time (to set beside kubetune's --profile)")
    a = p.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(42)
    config = SHAPES[a.shape](a.layers)
    config._attn_implementation = "sdpa"
    vocab = config.vocab_size
    rows = a.prompts * a.generations
    prompt_ids = [[(q * 7919 + t * 104729 + 1) % vocab for t in range(a.prompt_length)]
                  for q in range(a.prompts)]
    completions = [[(r * 15485863 + t * 32452843 + 3) % vocab
                    for t in range(completion_length(r, a.completion_length))] for r in range(rows)]
    rewards = [(r % 5) / 4 for r in range(rows)]
    prompts = [f"prompt {q}" for q in range(a.prompts)]
    ids_of = {text: ids for text, ids in zip(prompts, prompt_ids)}

    def rollout_func(batch_prompts, trainer):
        return {"prompt_ids": [ids_of[t] for t in batch_prompts],
                "completion_ids": [list(c) for c in completions],
                "logprobs": [[0.0] * len(c) for c in completions]}

    def fixed_reward(prompts, completions, **kwargs):
        return list(rewards)

    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    args = trl.GRPOConfig(
        output_dir="/tmp/kubetune-grpo-bench", per_device_train_batch_size=rows,
        num_generations=a.generations, max_completion_length=a.completion_length,
        gradient_checkpointing=a.gradient_checkpointing, use_cpu=True, bf16=False, fp16=False,
        report_to=[], seed=42, logging_steps=1, save_strategy="no", learning_rate=1e-6,
        max_grad_norm=1.0)
    trainer = trl.GRPOTrainer(
        model=model, reward_funcs=fixed_reward, args=args,
        train_dataset=Dataset.from_list([{"prompt": t} for t in prompts]),
        processing_class=stub_tokenizer(vocab), rollout_func=rollout_func,
        peft_config=LoraConfig(r=8, lora_alpha=16, target_modules="all-linear", lora_dropout=0.0,
                               task_type="CAUSAL_LM"))
    trainer.model.train()
    trainer.current_gradient_accumulation_steps = 1
    inputs = trainer._generate_and_score_completions(
        [{"prompt": t} for t in prompts for _ in range(a.generations)])
    assert inputs.get("old_per_token_logps") is None
    params = [q for q in trainer.model.parameters() if q.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-6, weight_decay=0.0)
    seconds = []
    for step in range(a.warmup + a.steps):
        started = time.perf_counter()
        loss = trainer.compute_loss(trainer.model, dict(inputs))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad()
        if step >= a.warmup:
            seconds.append(time.perf_counter() - started)
    if a.profile:
        with torch.profiler.profile(record_shapes=False) as prof:
            started = time.perf_counter()
            loss = trainer.compute_loss(trainer.model, dict(inputs))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad()
            wall = time.perf_counter() - started
        print(f"profile of one TRL update: wall {wall * 1000:.1f} ms")
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))
    median = statistics.median(seconds)
    tokens = rows * a.prompt_length + sum(len(c) for c in completions)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"TRL {trl.__version__} GRPOTrainer {a.shape} x{config.num_hidden_layers} layers, "
          f"{a.prompts} x {a.generations} rows: median {median:.3f} s of {len(seconds)} "
          f"({' '.join(f'{s:.2f}' for s in seconds)}), {tokens / median:.0f} tokens/s, "
          f"peak RSS {rss:.0f} MiB (torch {torch.__version__}, transformers "
          f"{transformers.__version__}, {a.threads} threads, fp32, gradient checkpointing "
          f"{'on' if a.gradient_checkpointing else 'off'})")


if __name__ == "__main__":
    main()
