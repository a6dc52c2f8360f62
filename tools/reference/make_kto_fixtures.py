"""Reference fixtures for stage kto, made with TRL's own KTOTrainer.

Pinned: torch 2.15, transformers 5.23.0, peft 0.21.2, trl 1.16.0 (the versions are also written
into reference.json). Run with the reference venv:

    tools/reference/.venv/bin/python tools/reference/make_kto_fixtures.py

The tiny Llama of the DPO fixtures (trainer-image/.../fixtures/models/llama), plain text
(kubetune's `template: none`), batches of 4 read in order (KTOConfig's default
train_sampling_strategy "sequential"), five optimizer steps, constant learning rate, no warm-up,
AdamW defaults, global-norm clipping at 1.0, max_length 64, beta 0.1:

- kto-{lora,full}: fixtures/kto/feedback.jsonl, format kto: 8 answers, 5 desirable and 3 not, so
  both batches hold both kinds and the steps walk batch 1, 2, 1, 2, 1 (epochs wrap). full sets
  undesirable_weight 1.5.
- kto-lora-pairs: fixtures/preference/pairs.jsonl, format preference, which TRL unpairs into the 4
  chosen answers (desirable) then the 4 rejected ones: each batch holds one kind only.

LoRA: r 4, alpha 8 on q_proj and v_proj, init_lora_weights=False (A and B random, so the policy
differs from the reference at step 0); the initial adapter is saved so the Java side starts from
the same weights. The LoRA reference is the base with the adapter disabled (TRL does this when it
wraps the model itself from peft_config); under full fine-tuning TRL loads a second copy.

Also tokenization.json: TRL's prepared rows (prompt_ids, completion_ids, KL_completion_ids, label)
for those datasets, a ChatML conversational case and a max_length that cuts rows.
"""
import json
import pathlib
import shutil

import peft
import torch
import transformers
import trl
from datasets import Dataset
from peft import LoraConfig
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import KTOConfig, KTOTrainer

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "trainer-image/src/test/resources/fixtures"
MODEL = FIXTURES / "models/llama"
OUT = FIXTURES / "kto"
VERSIONS = {"torch": torch.__version__, "transformers": transformers.__version__,
            "peft": peft.__version__, "trl": trl.__version__}
assert trl.__version__ == "1.16.0", trl.__version__
STEPS = 5
BATCH = 4
MAX_LENGTH = 64
LR = {"full": 1e-3, "lora": 1e-2}
LORA = dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], lora_dropout=0.0,
            init_lora_weights=False)
METRICS = ["kl", "entropy", "logits/chosen", "logits/rejected", "rewards/chosen",
           "rewards/rejected", "rewards/margins", "logps/chosen", "logps/rejected", "grad_norm"]
CHATML = ("{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>'"
          " + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")
RUNS = {
    "kto-lora": dict(method="lora", data="kto/feedback.jsonl", format="kto", weights=(1.0, 1.0)),
    "kto-full": dict(method="full", data="kto/feedback.jsonl", format="kto", weights=(1.0, 1.5)),
    "kto-lora-pairs": dict(method="lora", data="preference/pairs.jsonl", format="preference",
                           weights=(1.0, 1.0)),
}


def rows(path):
    out = [json.loads(line) for line in (FIXTURES / path).read_text().splitlines()]
    for r in out:
        r.pop("margin", None)
    return out


def tokenizer():
    tok = AutoTokenizer.from_pretrained(MODEL)
    tok.pad_token = tok.eos_token
    return tok


class RecordingKto(KTOTrainer):
    """Keeps each step's exact loss (the Trainer logs it rounded) and its batch's labels."""

    exact_losses = None
    batch_labels = None

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        loss = super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        if model.training:
            self.exact_losses.append((loss[0] if return_outputs else loss).item())
            self.batch_labels.append([bool(x) for x in inputs["label"].tolist()])
        return loss


def config(method, weights, max_length=MAX_LENGTH):
    return KTOConfig(output_dir="/tmp/kubetune-kto", per_device_train_batch_size=BATCH,
                     max_steps=STEPS, learning_rate=LR[method], lr_scheduler_type="constant",
                     warmup_steps=0, weight_decay=0.0, max_grad_norm=1.0, logging_steps=1,
                     save_strategy="no", report_to=[], use_cpu=True, bf16=False, fp16=False,
                     seed=42, max_length=max_length, dataloader_drop_last=False, beta=0.1,
                     desirable_weight=weights[0], undesirable_weight=weights[1])


def run(name, spec):
    torch.manual_seed(7)
    model = AutoModelForCausalLM.from_pretrained(MODEL, attn_implementation="eager",
                                                 dtype=torch.float32)
    method = spec["method"]
    trainer = RecordingKto(
        model=model, args=config(method, spec["weights"]),
        train_dataset=Dataset.from_list(rows(spec["data"])), processing_class=tokenizer(),
        peft_config=LoraConfig(**LORA, task_type="CAUSAL_LM") if method == "lora" else None)
    trainer.exact_losses, trainer.batch_labels = [], []
    if method == "lora":
        folder = OUT / f"{name}-initial-adapter"
        shutil.rmtree(folder, ignore_errors=True)
        trainer.model.save_pretrained(folder)
    prepared = [{k: row[k] for k in ("prompt_ids", "completion_ids", "KL_completion_ids", "label")}
                for row in trainer.train_dataset]
    trainer.train()
    history = [h for h in trainer.state.log_history if "loss" in h]
    assert len(history) == STEPS, history
    steps = []
    for loss, labels, h in zip(trainer.exact_losses, trainer.batch_labels, history):
        step = {"loss": loss, "labels": labels}
        step.update({k: h[k] for k in METRICS if k in h})
        steps.append(step)
    # The batches are the dataset's blocks of 4, in order, epoch after epoch.
    expected = [[r["label"] for r in prepared[(s % 2) * BATCH:(s % 2) * BATCH + BATCH]]
                for s in range(STEPS)]
    assert [s["labels"] for s in steps] == expected, ([s["labels"] for s in steps], expected)
    settings = {"beta": "0.1"}
    if spec["weights"] != (1.0, 1.0):
        settings["desirableWeight"] = str(spec["weights"][0])
        settings["undesirableWeight"] = str(spec["weights"][1])
    return {"method": method, "data": spec["data"], "format": spec["format"],
            "learningRate": LR[method], "preference": settings, "steps": steps}, prepared


def prepared_rows(data, tok, max_length=MAX_LENGTH):
    trainer = KTOTrainer(model=AutoModelForCausalLM.from_pretrained(MODEL),
                         args=config("lora", (1.0, 1.0), max_length),
                         train_dataset=Dataset.from_list(data), processing_class=tok)
    return [{k: row[k] for k in ("prompt_ids", "completion_ids", "KL_completion_ids", "label")}
            for row in trainer.train_dataset]


def tokenization(prepared):
    cases = [{"case": "text-kto", "data": "kto/feedback.jsonl", "format": "kto",
              "max_length": MAX_LENGTH, "rows": prepared["kto-lora"]},
             {"case": "text-pairs", "data": "preference/pairs.jsonl", "format": "preference",
              "max_length": MAX_LENGTH, "rows": prepared["kto-lora-pairs"]},
             {"case": "text-kto-cut", "data": "kto/feedback.jsonl", "format": "kto",
              "max_length": 12, "rows": prepared_rows(rows("kto/feedback.jsonl"), tokenizer(), 12)}]
    tok = tokenizer()
    tok.chat_template = CHATML
    chat = [{"prompt": [{"role": "user", "content": "Define sail."}],
             "completion": [{"role": "assistant", "content": "Canvas that catches wind."}],
             "label": True},
            {"prompt": [{"role": "user", "content": "Define oar."}],
             "completion": [{"role": "assistant", "content": "A kind of ore."}], "label": False}]
    cases.append({"case": "chat-kto", "records": chat, "format": "kto", "max_length": MAX_LENGTH,
                  "rows": prepared_rows(chat, tok)})
    return cases


def main():
    OUT.mkdir(exist_ok=True)
    runs, prepared = {}, {}
    for name, spec in RUNS.items():
        runs[name], prepared[name] = run(name, spec)
        print(name, [round(s["loss"], 5) for s in runs[name]["steps"]])
    (OUT / "reference.json").write_text(json.dumps({
        "made_by": "tools/reference/make_kto_fixtures.py", "versions": VERSIONS,
        "template": "none", "max_length": MAX_LENGTH, "steps": STEPS, "batch_size": BATCH,
        "scheduler": "constant", "warmup_steps": 0, "max_grad_norm": 1.0, "weight_decay": 0.0,
        "lora": LORA, "runs": runs}, indent=1) + "\n")
    (OUT / "tokenization.json").write_text(json.dumps({
        "made_by": "tools/reference/make_kto_fixtures.py", "versions": VERSIONS,
        "chat_template": CHATML, "cases": tokenization(prepared)}, indent=1) + "\n")


if __name__ == "__main__":
    main()
