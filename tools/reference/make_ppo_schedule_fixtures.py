"""Records the learning rate of every optimizer update as TRL 1.12's PPOTrainer schedules it, so
stage ppo's schedule is compared to the reference update by update.

TRL 1.12 (trl/trainer/ppo_trainer.py, the last TRL with PPO) computes
num_total_batches = ceil(total_episodes / batch_size), builds the scheduler with
create_optimizer_and_scheduler(num_training_steps=num_total_batches) (transformers' Trainer:
get_scheduler(lr_scheduler_type, optimizer, args.get_warmup_steps(num_training_steps),
num_training_steps)), and in train() runs num_ppo_epochs x num_mini_batches optimizer steps per
rollout batch, then calls self.lr_scheduler.step() once. TRL 1.12 itself needs an older
transformers than the reference venv holds, so this replays that loop with transformers' own
scheduler and TrainingArguments.get_warmup_steps.

Run: tools/reference/.venv/bin/python tools/reference/make_ppo_schedule_fixtures.py
"""
import json
import math
import pathlib

import torch
import transformers
from transformers import TrainingArguments, get_scheduler

OUT = (pathlib.Path(__file__).resolve().parents[2]
       / "trainer-image/src/test/resources/optim/ppo-schedule.json")
PEAK = 1e-3
CASES = [
    # name, scheduler, warmup_ratio, warmup_steps, updates (optimizer steps in all), updates per rollout
    ("linear", "linear", 0.0, 0, 20, 4),
    ("cosine-warmup-ratio", "cosine", 0.2, 0, 20, 4),
    ("constant-warmup-steps", "constant_with_warmup", 0.0, 2, 12, 2),
    ("linear-partial-last-rollout", "linear", 0.0, 0, 18, 4),
]


def rates(scheduler, warmup_ratio, warmup_steps, updates, per_rollout):
    batches = math.ceil(updates / per_rollout)
    # transformers 5 folds warmup_ratio into warmup_steps (a value below 1 is a ratio).
    args = TrainingArguments(output_dir="/tmp/unused", warmup_steps=warmup_steps or warmup_ratio,
                             report_to=[])
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=PEAK)
    lr_scheduler = get_scheduler(scheduler, optimizer, num_warmup_steps=args.get_warmup_steps(batches),
                                 num_training_steps=batches)
    out = []
    for _ in range(batches):
        for _ in range(per_rollout):
            if len(out) < updates:
                out.append(optimizer.param_groups[0]["lr"])
                optimizer.step()
        lr_scheduler.step()
    return out


def main():
    cases = []
    for name, scheduler, ratio, steps, updates, per_rollout in CASES:
        cases.append({"name": name, "scheduler": scheduler, "warmupRatio": ratio,
                      "warmupSteps": steps, "updates": updates, "updatesPerRollout": per_rollout,
                      "peak": PEAK, "lr": rates(scheduler, ratio, steps, updates, per_rollout)})
    OUT.write_text(json.dumps({"transformers": transformers.__version__, "cases": cases}, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
