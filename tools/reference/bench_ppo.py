"""TRL's PPO update speed on this CPU, for comparison with kubetune's (PpoUpdateMeasurement):
the demo model examples/models/tiny-llama-moby as policy, reference, value and reward model
(value and reward as LlamaForSequenceClassification with a fresh score head), full fine-tuning,
batch 8, prompts of 16 tokens, responses of 53 (TRL's default), 4 PPO epochs of one mini-batch.
Sampling is replaced by fixed random responses (generation speed is measured elsewhere), so an
update is: reference / value / reward passes over the rollout, then 4 forward+backward+AdamW
steps of policy and value model. Prints update seconds and tokens/s = epochs x rows x (16 + 53)
per second, the mean over updates 2..N (the first warms up).

Run (trl 1.12.0 is the last release with PPO; see make_ppo_fixtures.py):
    PYTHONPATH=/tmp/trl112 tools/reference/.venv/bin/python tools/reference/bench_ppo.py [--updates 4] [--threads 2]
"""
import argparse
import pathlib
import time

import torch
import transformers
import trl
from datasets import Dataset

from trl.experimental.ppo import PPOConfig, PPOTrainer
from trl.experimental.ppo import ppo_trainer as ppo_module

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples/models/tiny-llama-moby"
ROWS, QUERY, RESPONSE, EPOCHS, EOS, PAD = 8, 16, 53, 4, 4096, 4096


class Tok:
    pad_token_id = PAD
    eos_token_id = EOS


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--updates", type=int, default=4)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    vocab = transformers.AutoConfig.from_pretrained(MODEL).vocab_size
    queries = torch.randint(0, 4000, (ROWS, QUERY))
    responses = torch.randint(0, 4000, (ROWS, RESPONSE))
    logits = torch.randn(ROWS, RESPONSE, vocab)
    ppo_module.batch_generation = lambda m, q, bs, pad, cfg: (torch.cat((q, responses), 1), logits)

    def seq_cls():
        m = transformers.AutoModelForSequenceClassification.from_pretrained(MODEL, num_labels=1)
        m.config.pad_token_id = PAD
        return m

    args = PPOConfig(output_dir="/tmp/bench-ppo", use_cpu=True, bf16=False, per_device_train_batch_size=ROWS,
                     gradient_accumulation_steps=1, num_mini_batches=1, num_ppo_epochs=EPOCHS,
                     total_episodes=ROWS * a.updates, response_length=RESPONSE, num_sample_generations=0,
                     save_strategy="no", report_to=[], logging_steps=1, disable_tqdm=True)
    trainer = PPOTrainer(args=args, processing_class=Tok(),
                         model=transformers.AutoModelForCausalLM.from_pretrained(MODEL),
                         ref_model=transformers.AutoModelForCausalLM.from_pretrained(MODEL),
                         reward_model=seq_cls(), value_model=seq_cls(),
                         train_dataset=Dataset.from_dict({"input_ids": queries.tolist() * a.updates}),
                         data_collator=lambda rows: {"input_ids": torch.tensor([r["input_ids"] for r in rows])})
    stamps = []
    original = trainer.log
    trainer.log = lambda logs, *x, **k: (stamps.append(time.perf_counter()), original(logs, *x, **k))
    start = time.perf_counter()
    trainer.train()
    ends = [start] + stamps
    seconds = [ends[i + 1] - ends[i] for i in range(1, len(ends) - 1)]
    mean = sum(seconds) / len(seconds)
    tokens = EPOCHS * ROWS * (QUERY + RESPONSE)
    print(f"TRL {trl.__version__} PPO update: {mean:.3f} s, {tokens / mean:.0f} tokens/s "
          f"(updates 2..{a.updates}: {', '.join(f'{s:.3f}' for s in seconds)}; threads {a.threads})")


if __name__ == "__main__":
    main()
