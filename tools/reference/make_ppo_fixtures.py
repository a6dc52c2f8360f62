"""Records one update of TRL's PPOTrainer (trl.experimental.ppo) with sampling replaced by fixed
rollouts, so kubetune's PPO math (train/stage/ppo) is compared to the reference on the same numbers.

Nothing of TRL's PPO is re-implemented here: PPOTrainer.train() runs as shipped, on tiny GPT-2
models made from a config (policy, value and reward model), and the numbers are read out of its own
frame. Only its `batch_generation` is replaced, by fixed responses with fixed sampling logits (so
the rollout is known), and `masked_whiten` / `masked_mean` are wrapped to snapshot train()'s locals
at two points: when the advantages are whitened (rollout in, KL-penalised rewards, raw advantages
and returns out) and when the clip fraction of each micro-batch is taken (that micro-batch's new
log-probs and values in, policy/value/total loss and their gradients out). `log` is wrapped to keep the logged metrics.

Pinned: TRL 1.16.0 (the project's pin) no longer ships PPO: trl/experimental/ppo was removed in
1.13.0, and 1.12.0 is the last release that has it. This script therefore needs trl 1.12.0 ahead
of the pinned venv's trl, unpacked from its wheel with no dependencies:
    pip download --no-deps trl==1.12.0 -d /tmp/trlw && unzip -q /tmp/trlw/trl-1.12.0-*.whl -d /tmp/trl112
    PYTHONPATH=/tmp/trl112 tools/reference/.venv/bin/python tools/reference/make_ppo_fixtures.py
with the rest pinned as in requirements.txt (torch 2.15.0, transformers 5.23.0, accelerate 1.15.0).
Differences of trl 1.12.0 from ALIGNMENT.md §4 (written from a 1.10 snapshot): objective/entropy
masks the padding (INVALID_LOGPROB) positions out; nothing else in the math.
TRL sizes its per-micro-batch statistics (num_ppo_epochs, num_mini_batches,
gradient_accumulation_steps) and averages all of them, so a configuration whose mini-batch holds
fewer micro-batches than gradient_accumulation_steps averages unfilled zeros in; the cases here keep
mini-batch = per_device_train_batch_size x gradient_accumulation_steps, where every slot is filled.
"""
import json
import pathlib
import sys

import numpy as np
import torch
import transformers
from datasets import Dataset

import trl
from trl.experimental.ppo import PPOConfig, PPOTrainer
from trl.experimental.ppo import ppo_trainer as ppo_module

OUT = pathlib.Path(__file__).resolve().parents[2] / "trainer-image/src/test/resources/fixtures/ppo"
VOCAB, PAD, EOS = 16, 0, 1
BATCH, QUERY, RESPONSE = 4, 3, 6


class TinyTokenizer:
    """What PPOTrainer reads from its processing_class on this path: the pad and eos ids."""

    pad_token_id = PAD
    eos_token_id = EOS


def tiny(cls, seed):
    torch.manual_seed(seed)
    config = transformers.GPT2Config(vocab_size=VOCAB, n_positions=32, n_embd=8, n_layer=1, n_head=2,
                                     pad_token_id=PAD, eos_token_id=EOS, bos_token_id=EOS, num_labels=1,
                                     resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    return cls(config).eval()


def fixed_rollout(seed):
    """Responses with EOS at different places (one row never stops) and the sampling logits."""
    g = torch.Generator().manual_seed(seed)
    queries = torch.randint(2, VOCAB, (BATCH, QUERY), generator=g)
    queries[0, 0] = PAD  # a left-padded prompt
    responses = torch.randint(2, VOCAB, (BATCH, RESPONSE), generator=g)
    responses[0, 2] = EOS
    responses[1, 4] = EOS
    responses[2, 0] = EOS
    logits = torch.randn(BATCH, RESPONSE, VOCAB, generator=g) * 0.5
    return queries, responses, logits


class Recorder:
    def __init__(self):
        self.rollout = None
        self.micro = {}
        self.metrics = None
        self.calls = 0

    def whiten(self, original):
        def wrapped(values, mask, shift_mean=True):
            out = original(values, mask, shift_mean)
            f = sys._getframe(1)
            if f.f_code.co_name == "train" and shift_mean and self.rollout is None:
                loc = f.f_locals
                self.rollout = {k: loc[k].clone() for k in (
                    "responses", "postprocessed_responses", "logprobs", "ref_logprobs", "values", "scores",
                    "sequence_lengths", "padding_mask", "padding_mask_p1", "kl", "non_score_reward",
                    "rewards", "returns", "queries", "query_responses")}
                self.rollout["context_length"] = torch.tensor(loc["context_length"])
                self.rollout["raw_advantages"] = values.clone()
                self.rollout["advantages"] = out.clone().masked_fill(mask.logical_not(), 0)
            return out
        return wrapped

    def mean(self, original):
        def wrapped(values, mask, axis=None):
            out = original(values, mask, axis)
            f = sys._getframe(1)
            loc = f.f_locals
            if f.f_code.co_name != "train":
                return out
            # train() itself calls masked_mean four times per micro-batch: vf_loss, vf_clipfrac,
            # pg_loss, pg_clipfrac; at the fourth every local belongs to the current micro-batch.
            self.calls += 1
            if self.calls % 4 == 1:
                # vf_loss: before backward, so the gradients TRL's loss sends into the new
                # log-probs and values are kept for the Java side to compare.
                loc["new_logprobs"].retain_grad()
                loc["vpred"].retain_grad()
            if self.calls % 4 == 0:
                key = (loc["ppo_epoch_idx"], loc["minibatch_idx"], loc["gradient_accumulation_idx"])
                self.micro[key] = {
                    "epoch": key[0], "indices": [int(i) for i in loc["micro_batch_inds"]],
                    "new_logprobs": loc["new_logprobs"].detach().clone(), "vpred": loc["vpred"].detach().clone(),
                    "logits": loc["logits"].detach().clone(),
                    "pg_loss": loc["pg_loss"].item(), "vf_loss": loc["vf_loss"].item(), "loss": loc["loss"].item(),
                    "vf_clipfrac": loc["vf_clipfrac"].item(), "pg_clipfrac": out.item(),
                    # accelerate divides the loss by gradient_accumulation_steps before backward
                    "new_logprobs_grad": loc["new_logprobs"].grad.clone(), "vpred_grad": loc["vpred"].grad.clone(),
                }
            return out
        return wrapped


def run(case, kl_estimator, whiten_rewards, seed):
    recorder = Recorder()
    queries, responses, sample_logits = fixed_rollout(seed)

    def batch_generation(model, queries_, batch_size, pad_token_id, generation_config):
        return torch.cat((queries_, responses), 1), sample_logits

    ppo_module.batch_generation = batch_generation
    ppo_module.masked_whiten = recorder.whiten(ORIGINAL_WHITEN)
    ppo_module.masked_mean = recorder.mean(ORIGINAL_MEAN)

    args = PPOConfig(output_dir=f"/tmp/ppo-fixture-{case}", use_cpu=True, bf16=False, fp16=False,
                     per_device_train_batch_size=2, gradient_accumulation_steps=2, num_mini_batches=1,
                     num_ppo_epochs=2, total_episodes=BATCH, response_length=RESPONSE, stop_token="eos",
                     kl_estimator=kl_estimator, whiten_rewards=whiten_rewards, kl_coef=0.05, learning_rate=3e-3,
                     num_sample_generations=0, save_strategy="no", report_to=[], seed=seed,
                     local_rollout_forward_batch_size=BATCH, logging_steps=1, disable_tqdm=True)
    if whiten_rewards:
        args.per_device_train_batch_size, args.gradient_accumulation_steps, args.num_mini_batches = 8, 1, 1
    data = Dataset.from_dict({"input_ids": queries.tolist()})
    n = args.per_device_train_batch_size * args.gradient_accumulation_steps
    if n > BATCH:
        data = Dataset.from_dict({"input_ids": queries.repeat(n // BATCH, 1).tolist()})
        trainer_rollout = fixed_rollout_repeat(n // BATCH, queries, responses, sample_logits)
        ppo_module.batch_generation = trainer_rollout
    if case == "k1":
        # Twice the rows the update takes: accelerate syncs gradients at every micro-batch of the
        # dataloader's last batch (end_of_dataloader), which would hide the accumulation.
        data = Dataset.from_dict({"input_ids": queries.repeat(2, 1).tolist()})
    collate = lambda rows: {"input_ids": torch.tensor([r["input_ids"] for r in rows])}
    models = {"policy": tiny(transformers.GPT2LMHeadModel, 1), "ref": tiny(transformers.GPT2LMHeadModel, 2),
              "reward": tiny(transformers.GPT2ForSequenceClassification, 3),
              "value": tiny(transformers.GPT2ForSequenceClassification, 4)}
    if case == "k1":
        # The models as they start, so the Java side can run the same update (full fine-tuning).
        for name, model in models.items():
            model.save_pretrained(OUT / "models" / name, safe_serialization=True)
    trainer = PPOTrainer(args=args, processing_class=TinyTokenizer(), model=models["policy"],
                         ref_model=models["ref"], reward_model=models["reward"], value_model=models["value"],
                         train_dataset=data, data_collator=collate)
    original_log = trainer.log
    trainer.log = lambda logs, *a, **k: (setattr(recorder, "metrics", dict(logs)), original_log(logs, *a, **k))
    trainer.train()
    return recorder, args


def fixed_rollout_repeat(times, queries, responses, logits):
    def batch_generation(model, queries_, batch_size, pad_token_id, generation_config):
        return torch.cat((queries_, responses.repeat(times, 1)), 1), logits.repeat(times, 1, 1)
    return batch_generation


def lists(t):
    return t.detach().to(torch.float64).tolist() if t.is_floating_point() else t.tolist()


def write(case, recorder, args):
    r = recorder.rollout
    fixture = {
        "made_by": "tools/reference/make_ppo_fixtures.py",
        "versions": {"trl": trl.__version__, "torch": torch.__version__, "transformers": transformers.__version__},
        "settings": {"kl_coef": args.kl_coef, "kl_estimator": args.kl_estimator, "gamma": args.gamma, "lam": args.lam,
                     "cliprange": args.cliprange, "cliprange_value": args.cliprange_value, "vf_coef": args.vf_coef,
                     "whiten_rewards": args.whiten_rewards, "temperature": args.temperature,
                     "num_ppo_epochs": args.num_ppo_epochs, "learning_rate": args.learning_rate, "num_mini_batches": args.num_mini_batches,
                     "gradient_accumulation_steps": args.gradient_accumulation_steps},
        "pad_token_id": PAD, "eos_token_id": EOS,
        "rollout": {k: lists(v) for k, v in r.items()},
        "micro_batches": [{k: (lists(v) if torch.is_tensor(v) else v) for k, v in m.items()}
                          for _, m in sorted(recorder.micro.items())],
        "metrics": {k: v for k, v in recorder.metrics.items() if k not in ("eps", "lr", "episode", "epoch")},
    }
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{case}.json"
    path.write_text(json.dumps(fixture, indent=None, separators=(",", ":")) + "\n")
    print("wrote", path, path.stat().st_size, "bytes")


def value_head_fixture():
    """TRL's ValueHead (v_head.summary, Linear(h, 1) with bias) on fixed hidden states, dropout off."""
    from trl.experimental.ppo.modeling_value_head import ValueHead
    torch.manual_seed(11)
    config = transformers.GPT2Config(n_embd=8, summary_dropout_prob=0.0)
    head = ValueHead(config).eval()
    hidden = torch.randn(2, 5, 8)
    with torch.no_grad():
        out = head(hidden).squeeze(-1)
    path = OUT / "value_head.json"
    path.write_text(json.dumps({
        "made_by": "tools/reference/make_ppo_fixtures.py",
        "versions": {"trl": trl.__version__, "torch": torch.__version__},
        "weight": lists(head.summary.weight), "bias": lists(head.summary.bias),
        "hidden": lists(hidden), "values": lists(out)}) + "\n")
    print("wrote", path)


ORIGINAL_WHITEN = ppo_module.masked_whiten
ORIGINAL_MEAN = ppo_module.masked_mean

if __name__ == "__main__":
    assert trl.__version__ == "1.12.0", f"needs trl 1.12.0 (the last with experimental PPO), got {trl.__version__}"
    torch.set_num_threads(1)
    for case, estimator, whiten, seed in (("k1", "k1", False, 5), ("k3_whiten", "k3", True, 6)):
        np.random.seed(seed)
        recorder, args = run(case, estimator, whiten, seed)
        write(case, recorder, args)
    value_head_fixture()
