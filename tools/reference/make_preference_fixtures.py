"""Reference fixtures for the preference stages (rm, dpo), made with TRL's own trainers.

For a tiny Llama (trainer-image/.../fixtures/models/llama) and the four pairs of
fixtures/preference/pairs.jsonl (plain text, explicit prompt: kubetune's `template: none`), five
optimizer steps whose batch holds the whole dataset (so the order TRL shuffles the pairs in does
not matter), constant learning rate, no warm-up, AdamW defaults, global-norm clipping at 1.0:

- dpo-{full,lora}-{sigmoid,ipo,hinge,robust}: TRL 1.16 DPOTrainer, loss_type as named.
- dpo-{full,lora}-{orpo,simpo}: LLaMA-Factory's formulas (src/llamafactory/train/dpo/trainer.py,
  odds_ratio_loss and simpo_loss on log-probs averaged over the answer's tokens, no reference
  model) written out below in a DPOTrainer subclass, so data, batching and optimizer are TRL's.
- rm-{full,lora}: TRL 1.16 RewardTrainer (score head, margin column; full also centres rewards).

LoRA: r 4, alpha 8 on q_proj and v_proj with init_lora_weights=False (A and B random, so the
policy differs from the base at step 0); the initial adapter is saved so the Java side starts from
the same weights. The reference model of LoRA DPO is the base with the adapter disabled (TRL does
this when it wraps the model itself from peft_config).

Also tokenization.json: TRL's prompt/chosen/rejected ids for text pairs with and without a prompt
column, and for conversational pairs under a ChatML template.

Run: tools/reference/.venv/bin/python tools/reference/make_preference_fixtures.py
"""
import json
import pathlib
import shutil

import peft
import torch
import torch.nn.functional as F
import transformers
import trl
from datasets import Dataset
from peft import LoraConfig
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer
from trl import DPOConfig, DPOTrainer, RewardConfig, RewardTrainer

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "trainer-image/src/test/resources/fixtures/models/llama"
OUT = ROOT / "trainer-image/src/test/resources/fixtures/preference"
VERSIONS = {"torch": torch.__version__, "transformers": transformers.__version__,
            "peft": peft.__version__, "trl": trl.__version__}
STEPS = 5
MAX_LENGTH = 64
LR = {"full": 1e-3, "lora": 1e-2}
LORA = dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], lora_dropout=0.0,
            init_lora_weights=False)
METRICS = ["rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins",
           "logps/chosen", "logps/rejected", "accuracy", "margin", "grad_norm"]
CHATML = ("{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>'"
          " + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")


def pairs():
    return [json.loads(line) for line in (OUT / "pairs.jsonl").read_text().splitlines()]


def tokenizer():
    tok = AutoTokenizer.from_pretrained(MODEL)
    tok.pad_token = tok.eos_token
    return tok


def common_args(method):
    return dict(output_dir="/tmp/kubetune-pref", per_device_train_batch_size=len(pairs()),
                max_steps=STEPS, learning_rate=LR[method], lr_scheduler_type="constant",
                warmup_steps=0, weight_decay=0.0, max_grad_norm=1.0, logging_steps=1,
                save_strategy="no", report_to=[], use_cpu=True, bf16=False, fp16=False, seed=42,
                max_length=MAX_LENGTH, dataloader_drop_last=False)


class Recording:
    """Keeps each step's exact loss (the Trainer logs it rounded to 4 decimals)."""

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        loss = super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        if model.training:
            self.exact_losses.append((loss[0] if return_outputs else loss).item())
        return loss


class RecordingDpo(Recording, DPOTrainer):
    exact_losses = None


class RecordingReward(Recording, RewardTrainer):
    exact_losses = None


class LlamaFactoryDpo(RecordingDpo):
    """ORPO and SimPO as LLaMA-Factory computes them (train/dpo/trainer.py): log-probs averaged
    over the answer's tokens (get_batch_logps ÷ valid_length), no reference model; rewards are
    beta × the averaged log-probs; logps/* are the averaged log-probs."""

    lf_loss = None
    simpo_gamma = 0.5

    def _compute_loss(self, model, inputs, return_outputs):
        mask = inputs["completion_mask"][:, 1:].float()
        logits = model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"],
                       use_cache=False).logits[:, :-1].float()
        token_logps = torch.gather(logits.log_softmax(-1), 2,
                                   inputs["input_ids"][:, 1:].unsqueeze(2)).squeeze(2)
        logps = (token_logps * mask).sum(1) / mask.sum(1)
        chosen, rejected = logps.chunk(2)
        if self.lf_loss == "orpo":
            log_odds = (chosen - rejected) - (torch.log1p(-torch.exp(chosen))
                                              - torch.log1p(-torch.exp(rejected)))
            losses = -chosen + self.beta * (-F.logsigmoid(log_odds))
        else:
            gamma_logratios = self.simpo_gamma / self.beta
            losses = -F.logsigmoid(self.beta * ((chosen - rejected) - gamma_logratios))
        chosen_rewards, rejected_rewards = self.beta * chosen.detach(), self.beta * rejected.detach()
        m = self._metrics["train"]
        m["rewards/chosen"].append(chosen_rewards.mean().item())
        m["rewards/rejected"].append(rejected_rewards.mean().item())
        m["rewards/accuracies"].append((chosen_rewards > rejected_rewards).float().mean().item())
        m["rewards/margins"].append((chosen_rewards - rejected_rewards).mean().item())
        m["logps/chosen"].append(chosen.detach().mean().item())
        m["logps/rejected"].append(rejected.detach().mean().item())
        return losses.mean()


def steps_of(trainer):
    history = [h for h in trainer.state.log_history if "loss" in h]
    assert len(history) == STEPS, history
    steps = []
    for loss, h in zip(trainer.exact_losses, history):
        step = {"loss": loss}
        step.update({k: h[k] for k in METRICS if k in h})
        steps.append(step)
    return steps


def dpo_run(method, loss):
    torch.manual_seed(7)
    model = AutoModelForCausalLM.from_pretrained(MODEL, attn_implementation="eager",
                                                 dtype=torch.float32)
    lf = loss in ("orpo", "simpo")
    config = DPOConfig(**common_args(method), beta=0.1, loss_type="sigmoid" if lf else loss,
                       label_smoothing=0.1 if loss == "robust" else 0.0)
    cls = LlamaFactoryDpo if lf else RecordingDpo
    trainer = cls(model=model, args=config, train_dataset=Dataset.from_list(pairs()),
                  processing_class=tokenizer(),
                  peft_config=LoraConfig(**LORA, task_type="CAUSAL_LM") if method == "lora" else None)
    trainer.exact_losses = []
    if lf:
        trainer.lf_loss = loss
    name = f"dpo-{method}-{loss}"
    save_initial(trainer, method, name)
    trainer.train()
    settings = {"beta": 0.1, "loss": loss}
    if loss == "robust":
        settings["labelSmoothing"] = 0.1
    if loss == "simpo":
        settings["simpoGamma"] = 0.5
    return name, settings, steps_of(trainer)


def rm_run(method):
    torch.manual_seed(7)
    model = AutoModelForSequenceClassification.from_pretrained(
        MODEL, num_labels=1, attn_implementation="eager", dtype=torch.float32)
    center = 0.01 if method == "full" else None
    config = RewardConfig(**common_args(method), center_rewards_coefficient=center)
    peft_config = None
    if method == "lora":
        peft_config = LoraConfig(**LORA, task_type="SEQ_CLS", modules_to_save=["score"])
    trainer = RecordingReward(model=model, args=config, train_dataset=Dataset.from_list(pairs()),
                              processing_class=tokenizer(), peft_config=peft_config)
    trainer.exact_losses = []
    name = f"rm-{method}"
    if method == "full":
        # The score head transformers initialised (normal, std initializer_range): Java starts
        # from the same one.
        save_file({"score.weight": model.score.weight.detach().clone().contiguous()},
                  OUT / "rm-full-initial-score.safetensors")
    save_initial(trainer, method, name)
    trainer.train()
    settings = {"centerRewards": center} if center is not None else {}
    return name, settings, steps_of(trainer)


def save_initial(trainer, method, name):
    if method == "lora":
        folder = OUT / f"{name}-initial-adapter"
        shutil.rmtree(folder, ignore_errors=True)
        trainer.model.save_pretrained(folder)


def tokenization():
    """TRL's own tokenization of text and conversational pairs, prompt given or extracted."""
    tok = tokenizer()
    tok.chat_template = CHATML
    text = [{"prompt": "Define harbour:", "chosen": " A port.", "rejected": " A cat."},
            {"prompt": "The sea is", "chosen": " deep", "rejected": " dry"}]
    text_no_prompt = [{"chosen": "Define whale: A sea animal.", "rejected": "Define whale: A tool."},
                      {"chosen": "Ships sail on water", "rejected": "Ships sail on sand"}]
    chat = [{"prompt": [{"role": "user", "content": "Define sail."}],
             "chosen": [{"role": "assistant", "content": "Canvas that catches wind."}],
             "rejected": [{"role": "assistant", "content": "A bone."}]}]
    chat_no_prompt = [{"chosen": [{"role": "user", "content": "Define oar."},
                                  {"role": "assistant", "content": "A pole to row with."}],
                       "rejected": [{"role": "user", "content": "Define oar."},
                                    {"role": "assistant", "content": "A kind of ore."}]}]
    cases = []
    for name, rows in [("text", text), ("text-no-prompt", text_no_prompt), ("chat", chat),
                       ("chat-no-prompt", chat_no_prompt)]:
        trainer = DPOTrainer(model=AutoModelForCausalLM.from_pretrained(MODEL),
                             args=DPOConfig(output_dir="/tmp/kubetune-pref", report_to=[],
                                            use_cpu=True, max_length=MAX_LENGTH),
                             train_dataset=Dataset.from_list(rows), processing_class=tok)
        for row, done in zip(rows, trainer.train_dataset):
            cases.append({"case": name, "record": row, "prompt_ids": done["prompt_ids"],
                          "chosen_ids": done["chosen_ids"], "rejected_ids": done["rejected_ids"]})
    return cases


def kubetune_written_rm():
    """Scores, in transformers and peft, of the reward model kubetune's trainer wrote
    (trainer-image/src/test/resources/jobs/tiny-rm-lora.yaml, outputs copied into
    kubetune-written-rm/): the merged model as AutoModelForSequenceClassification, and the LoRA
    adapter (modules_to_save: score) on the base through PeftModel.from_pretrained."""
    from peft import PeftModel
    folder = OUT / "kubetune-written-rm"
    tok = tokenizer()
    texts = [p["prompt"] + p["chosen"] + tok.eos_token for p in pairs()[:3]]
    batch = tok(texts, padding=True, return_tensors="pt")
    merged = AutoModelForSequenceClassification.from_pretrained(folder / "merged", dtype=torch.float32).eval()
    assert merged.config.num_labels == 1 and type(merged).__name__ == "LlamaForSequenceClassification"
    merged.config.pad_token_id = tok.pad_token_id
    base = AutoModelForSequenceClassification.from_pretrained(MODEL, num_labels=1, dtype=torch.float32)
    base.config.pad_token_id = tok.pad_token_id
    adapted = PeftModel.from_pretrained(base, folder / "adapter").eval()
    with torch.no_grad():
        merged_scores = merged(**batch).logits[:, 0]
        adapter_scores = adapted(**batch).logits[:, 0]
    assert (merged_scores - adapter_scores).abs().max() < 1e-4, (merged_scores, adapter_scores)
    (folder / "reference.json").write_text(json.dumps({
        "made_by": "tools/reference/make_preference_fixtures.py --only-kubetune-written",
        "versions": VERSIONS, "input_ids": batch["input_ids"].tolist(),
        "attention_mask": batch["attention_mask"].tolist(),
        "merged_scores": merged_scores.tolist(), "adapter_scores": adapter_scores.tolist()},
        indent=1) + "\n")
    print("merged", merged_scores.tolist(), "adapter", adapter_scores.tolist())


def peft_written_rm():
    """Scores of a reward adapter PEFT itself wrote (rm-lora-initial-adapter: save_pretrained of
    TRL's RewardTrainer model, task_type SEQ_CLS, modules_to_save score, the head saved as
    base_model.model.score.weight), loaded by PeftModel.from_pretrained on the base as
    AutoModelForSequenceClassification: the base has no score.weight, so only the adapter's head
    can give these scores."""
    from peft import PeftModel
    tok = tokenizer()
    texts = [p["prompt"] + p[side] + tok.eos_token for p in pairs()[:2] for side in ("chosen", "rejected")]
    batch = tok(texts, padding=True, return_tensors="pt")
    torch.manual_seed(0)
    base = AutoModelForSequenceClassification.from_pretrained(MODEL, num_labels=1, dtype=torch.float32)
    base.config.pad_token_id = tok.pad_token_id
    adapter = OUT / "rm-lora-initial-adapter"
    adapted = PeftModel.from_pretrained(base, adapter).eval()
    with torch.no_grad():
        scores = adapted(**batch).logits[:, 0]
    folder = OUT / "peft-written-rm"
    folder.mkdir(exist_ok=True)
    (folder / "reference.json").write_text(json.dumps({
        "made_by": "tools/reference/make_preference_fixtures.py --only-peft-written",
        "versions": VERSIONS, "adapter": "rm-lora-initial-adapter",
        "input_ids": batch["input_ids"].tolist(),
        "attention_mask": batch["attention_mask"].tolist(), "scores": scores.tolist()},
        indent=1) + "\n")
    print("peft-written adapter scores", scores.tolist())


def main():
    runs = {}
    for method in ("full", "lora"):
        for loss in ("sigmoid", "ipo", "hinge", "robust", "orpo", "simpo"):
            name, settings, steps = dpo_run(method, loss)
            runs[name] = {"stage": "dpo", "method": method, "learningRate": LR[method],
                          "preference": settings, "steps": steps}
            print(name, [round(s["loss"], 5) for s in steps])
        name, settings, steps = rm_run(method)
        runs[name] = {"stage": "rm", "method": method, "learningRate": LR[method],
                      "preference": settings, "steps": steps}
        print(name, [round(s["loss"], 5) for s in steps])
    (OUT / "reference.json").write_text(json.dumps({
        "made_by": "tools/reference/make_preference_fixtures.py", "versions": VERSIONS,
        "data": "pairs.jsonl", "template": "none", "max_length": MAX_LENGTH, "steps": STEPS,
        "batch_pairs": len(pairs()), "scheduler": "constant", "warmup_steps": 0,
        "max_grad_norm": 1.0, "weight_decay": 0.0, "lora": LORA, "runs": runs}, indent=1) + "\n")
    (OUT / "tokenization.json").write_text(json.dumps({
        "made_by": "tools/reference/make_preference_fixtures.py", "versions": VERSIONS,
        "chat_template": CHATML, "cases": tokenization()}, indent=1) + "\n")


if __name__ == "__main__":
    import sys
    if "--only-kubetune-written" in sys.argv:
        kubetune_written_rm()
    elif "--only-peft-written" in sys.argv:
        peft_written_rm()
    else:
        main()
