"""Reference fixtures for stage grpo, made with TRL's own GRPOTrainer on recorded rollouts.

Pinned: torch 2.15, transformers 5.23.0, trl 1.16.0, peft 0.21.2 (the versions are also written
into reference.json). For the tiny Llama (trainer-image/.../fixtures/models/llama) under LoRA
(r 4, alpha 8 on q_proj, v_proj, init_lora_weights=False so the policy differs from the base; the
initial adapter is saved to initial-adapter/ so the Java side starts from the same weights):

- three text prompts, num_generations 4, twelve fixed completions (sampling is replaced by TRL's own
  `rollout_func` hook, which hands the trainer prompt and completion ids), some ending on EOS,
  some cut at max_completion_length 6, and fixed rewards (one group with equal rewards, so
  frac_reward_zero_std is not 0);
- for each case (loss_type x scale_rewards x beta), GRPOTrainer._generate_and_score_completions
  gives the advantages (and, with beta > 0, the reference log-probs with the adapter disabled), and
  GRPOTrainer._compute_loss the loss and its metrics, twice: on-policy (TRL's num_iterations=1 path,
  old log-probs = the policy's own, detached) and off-policy, with recorded old log-probs (the
  policy's plus fixed noise) so that the ratio is clipped on some tokens.

TRL's training forward runs left-padded prompts with positions 0..L-1 (padding counted); kubetune
counts positions from each row's first real token (as generate does). RoPE makes the two equal up
to rounding on this Llama; a GPT-2 (absolute positions) would differ on padded rows.

A last case (reward-model.json) scores the same rollouts with a tiny reward model (reward-model/,
a LlamaForSequenceClassification over the GPT-2 fixture's tokenizer, so the text is re-tokenized)
weighted 0.5 plus a vowel rule weighted 2.0, and records both functions' rewards, the advantages and
the dapo loss.

Run: tools/reference/.venv/bin/python tools/reference/make_grpo_fixtures.py
"""
import json
import pathlib
import shutil

import peft
import torch
import transformers
import trl
from datasets import Dataset
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import GRPOConfig, GRPOTrainer

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "trainer-image/src/test/resources/fixtures/models/llama"
OUT = ROOT / "trainer-image/src/test/resources/fixtures/grpo"
VERSIONS = {"torch": torch.__version__, "transformers": transformers.__version__,
            "peft": peft.__version__, "trl": trl.__version__}
PROMPTS = ["Define cat.", "Define a river bank.", "Define up."]
G = 4
MAX_COMPLETION = 6
TEMPERATURE = 0.7
EOS = 4097
# Rows 0-3 answer prompt 0, 4-7 prompt 1, 8-11 prompt 2; EOS ends the shorter ones.
COMPLETIONS = [
    [17, 230, 99, 4, EOS], [500, EOS], [61, 62, 63, 64, 65, 66], [7, 8, EOS],
    [1000, 1001, 1002, 1003, 1004, 1005], [321, 123, 231, 312, EOS], [EOS], [45, 46, 47, 48, 49, 50],
    [3000, 12, EOS], [77, 78, 79, 80, 81, 82], [5, EOS], [90, 91, 92, 93, EOS],
]
REWARDS = [1.0, 0.0, 0.5, 1.0, 0.0, 2.0, -1.0, 0.25, 0.5, 0.5, 0.5, 0.5]
CASES = [
    ("dapo", "group", 0.0), ("grpo", "group", 0.0), ("dr_grpo", "none", 0.0),
    ("dapo", "batch", 0.04), ("grpo", "group", 0.04), ("dr_grpo", "group", 0.04),
]
LORA = dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], lora_dropout=0.0,
            init_lora_weights=False, task_type="CAUSAL_LM")
METRICS = ["reward", "reward_std", "frac_reward_zero_std", "kl", "entropy", "clip_ratio/low_mean",
           "clip_ratio/high_mean", "clip_ratio/region_mean", "completions/mean_length",
           "completions/clipped_ratio"]


def tokenizer():
    tok = AutoTokenizer.from_pretrained(MODEL)
    tok.pad_token = tok.eos_token
    return tok


def rollout(tok):
    def rollout_func(prompts, trainer):
        assert len(prompts) == len(COMPLETIONS)
        return {"prompt_ids": [tok(p)["input_ids"] for p in prompts],
                "completion_ids": [list(c) for c in COMPLETIONS],
                "logprobs": [[0.0] * len(c) for c in COMPLETIONS]}
    return rollout_func


def fixed_reward(prompts, completions, **kwargs):
    assert len(completions) == len(REWARDS)
    return list(REWARDS)


def base():
    return AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.float32)


def run(loss_type, scale_rewards, beta, tok):
    model = base()
    # The trainer wraps the model with peft_config itself, so with beta > 0 its reference is the
    # base with the adapter disabled (kubetune's reference under LoRA). A PeftModel passed in would
    # get a frozen "ref" copy of its adapter instead (TRL 1.16 grpo_trainer.py, "ref" adapter).
    torch.manual_seed(0)
    args = GRPOConfig(output_dir="/tmp/kubetune-grpo", per_device_train_batch_size=len(COMPLETIONS),
                      num_generations=G, max_completion_length=MAX_COMPLETION,
                      temperature=TEMPERATURE, beta=beta, loss_type=loss_type,
                      scale_rewards=scale_rewards, use_cpu=True, bf16=False, fp16=False,
                      report_to=[], seed=42, logging_steps=1, save_strategy="no")
    trainer = GRPOTrainer(model=model, reward_funcs=fixed_reward, args=args,
                          train_dataset=Dataset.from_list([{"prompt": p} for p in PROMPTS]),
                          processing_class=tok, rollout_func=rollout(tok),
                          peft_config=LoraConfig(**LORA))
    trainer.model.train()
    # Set by Trainer.train() for each step; one step of one micro-batch here.
    trainer.current_gradient_accumulation_steps = 1
    inputs = [{"prompt": p} for p in PROMPTS for _ in range(G)]
    out = trainer._generate_and_score_completions(inputs)
    assert out.get("old_per_token_logps") is None
    ids = torch.cat([out["prompt_ids"], out["completion_ids"]], 1)
    mask = torch.cat([out["prompt_mask"], out["completion_mask"]], 1)
    with torch.no_grad():
        logps, entropies, _ = trainer._get_per_token_logps_and_entropies(
            trainer.model, ids, mask, out["completion_ids"].size(1), compute_entropy=True)
    result = {"loss_type": loss_type, "scale_rewards": scale_rewards, "beta": beta,
              "advantages": out["advantages"].tolist(), "per_token_logps": logps.tolist(),
              "entropies": entropies.tolist(), "completion_mask": out["completion_mask"].tolist()}
    if beta != 0.0:
        result["ref_per_token_logps"] = out["ref_per_token_logps"].tolist()
    trainer._metrics["train"].clear()
    loss = trainer._compute_loss(trainer.model, dict(out))
    result["loss"] = loss.item()
    result["grad_norm"] = lora_grad_norm(trainer.model, loss)
    result["metrics"] = last_metrics(trainer)
    noise = torch.Generator().manual_seed(1)
    old = logps + 0.4 * torch.randn(logps.shape, generator=noise)
    result["old_per_token_logps"] = old.tolist()
    trainer._metrics["train"].clear()
    loss = trainer._compute_loss(trainer.model, {**out, "old_per_token_logps": old})
    result["loss_off_policy"] = loss.item()
    result["grad_norm_off_policy"] = lora_grad_norm(trainer.model, loss)
    result["metrics_off_policy"] = last_metrics(trainer)
    # Rollout metrics are logged by _generate_and_score_completions, before the clear above.
    return result, trainer


def lora_grad_norm(model, loss):
    """The L2 norm of the loss's gradient over every LoRA weight (they are all that trains)."""
    model.zero_grad()
    loss.backward()
    norm = torch.sqrt(sum((p.grad.double() ** 2).sum() for n, p in model.named_parameters()
                          if p.requires_grad and p.grad is not None)).item()
    model.zero_grad()
    return norm


def last_metrics(trainer):
    return {k: v[-1] for k, v in trainer._metrics["train"].items() if v}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    tok = tokenizer()
    prompt_ids = [tok(p)["input_ids"] for p in PROMPTS]
    cases = []
    for loss_type, scale, beta in CASES:
        result, trainer = run(loss_type, scale, beta, tok)
        cases.append(result)
        if len(cases) == 1:
            folder = OUT / "initial-adapter"
            shutil.rmtree(folder, ignore_errors=True)
            trainer.model.save_pretrained(folder)
    # One run's rollout metrics (they do not depend on the case).
    model = base()
    args = GRPOConfig(output_dir="/tmp/kubetune-grpo", per_device_train_batch_size=len(COMPLETIONS),
                      num_generations=G, max_completion_length=MAX_COMPLETION, use_cpu=True,
                      report_to=[], temperature=TEMPERATURE)
    trainer = GRPOTrainer(model=model, reward_funcs=fixed_reward, args=args,
                          train_dataset=Dataset.from_list([{"prompt": p} for p in PROMPTS]),
                          processing_class=tok, rollout_func=rollout(tok))
    trainer.model.train()
    trainer._generate_and_score_completions([{"prompt": p} for p in PROMPTS for _ in range(G)])
    rollout_metrics = last_metrics(trainer)
    reference = {"versions": VERSIONS, "prompts": PROMPTS, "prompt_ids": prompt_ids,
                 "num_generations": G, "max_completion_length": MAX_COMPLETION,
                 "temperature": TEMPERATURE, "eos": EOS, "completions": COMPLETIONS,
                 "rewards": REWARDS, "rollout_metrics": rollout_metrics, "cases": cases}
    (OUT / "reference.json").write_text(json.dumps(reference, indent=1) + "\n")
    print(json.dumps({c["loss_type"] + "/" + c["scale_rewards"] + "/" + str(c["beta"]):
                      [c["loss"], c["loss_off_policy"]] for c in cases}, indent=1))
    print(json.dumps(rollout_metrics, indent=1))


RM_DIR = OUT / "reward-model"
RM_TOKENIZER = ROOT / "trainer-image/src/test/resources/fixtures/models/gpt2"
RM_WEIGHT = 0.5
RULE_WEIGHT = 2.0
RULE_PATTERN = "[aeiou]"


def make_reward_model():
    """A tiny LlamaForSequenceClassification over the GPT-2 fixture's tokenizer: a tokenizer other
    than the policy's, so the text must be re-tokenized as TRL does."""
    rm_tok = AutoTokenizer.from_pretrained(RM_TOKENIZER)
    torch.manual_seed(7)
    config = transformers.LlamaConfig(
        vocab_size=len(rm_tok), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
        num_attention_heads=2, num_key_value_heads=1, head_dim=8, max_position_embeddings=128,
        num_labels=1, pad_token_id=rm_tok.pad_token_id if rm_tok.pad_token_id is not None
        else rm_tok.eos_token_id, initializer_range=0.5, tie_word_embeddings=False)
    model = transformers.LlamaForSequenceClassification(config).eval()
    shutil.rmtree(RM_DIR, ignore_errors=True)
    model.save_pretrained(RM_DIR, safe_serialization=True)
    rm_tok.save_pretrained(RM_DIR)
    return RM_DIR


def vowel(prompts, completions, **kwargs):
    """Stands for kubetune's regex rule with pattern [aeiou]: 1 when it is found."""
    import re
    return [1.0 if re.search(RULE_PATTERN, c, re.DOTALL) else 0.0 for c in completions]


def reward_model_main():
    """GRPO with a reward model (weight 0.5) and a rule reward (weight 2.0): the per-function
    rewards, advantages and the dapo loss, written to reward-model.json."""
    rm_dir = make_reward_model()
    tok = tokenizer()
    rm = transformers.AutoModelForSequenceClassification.from_pretrained(rm_dir, dtype=torch.float32)
    args = GRPOConfig(output_dir="/tmp/kubetune-grpo", per_device_train_batch_size=len(COMPLETIONS),
                      num_generations=G, max_completion_length=MAX_COMPLETION,
                      temperature=TEMPERATURE, beta=0.0, loss_type="dapo", scale_rewards="group",
                      use_cpu=True, bf16=False, fp16=False, report_to=[], seed=42,
                      logging_steps=1, save_strategy="no", reward_weights=[RM_WEIGHT, RULE_WEIGHT])
    trainer = GRPOTrainer(model=base(), reward_funcs=[rm, vowel], args=args,
                          train_dataset=Dataset.from_list([{"prompt": p} for p in PROMPTS]),
                          processing_class=tok, rollout_func=rollout(tok),
                          peft_config=LoraConfig(**LORA))
    captured = []
    original = trainer._calculate_rewards

    def capture(*a, **k):
        out = original(*a, **k)
        captured.append(out.detach().clone())
        return out
    trainer._calculate_rewards = capture
    trainer.model.train()
    trainer.current_gradient_accumulation_steps = 1
    # The same adapter as the other cases, so the Java side starts from initial-adapter/.
    peft.set_peft_model_state_dict(trainer.model, peft.get_peft_model_state_dict(
        peft.PeftModel.from_pretrained(base(), OUT / "initial-adapter")))
    out = trainer._generate_and_score_completions([{"prompt": p} for p in PROMPTS for _ in range(G)])
    rollout_metrics = last_metrics(trainer)
    per_func = captured[0]
    rewards = (per_func * torch.tensor([RM_WEIGHT, RULE_WEIGHT])).nansum(dim=1)
    trainer._metrics["train"].clear()
    loss = trainer._compute_loss(trainer.model, dict(out))
    result = {"versions": VERSIONS, "reward_model_weight": RM_WEIGHT, "rule_weight": RULE_WEIGHT,
              "rule_pattern": RULE_PATTERN, "reward_model_name": trainer.reward_func_names[0],
              "reward_model_scores": per_func[:, 0].tolist(), "rule_scores": per_func[:, 1].tolist(),
              "rewards": rewards.tolist(), "advantages": out["advantages"].tolist(),
              "loss": loss.item(), "rollout_metrics": rollout_metrics}
    (OUT / "reward-model.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


RM_CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'system' %}"
    "{{ message['content'] + '\\n\\n' }}{% else %}{{ '<|' + message['role'] + '|>\\n'"
    " + message['content'] + eos_token + '\\n' }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}")


def reward_model_chat_main():
    """The text TRL gives a reward model for a conversational prompt (its tokenizer's chat template
    over the prompt's turns and the completion as the assistant's) and its ids, written to
    reward-model-chat.json: reward-model/'s GPT-2 tokenizer with a small Zephyr-like template."""
    from trl.data_utils import apply_chat_template
    rm_tok = AutoTokenizer.from_pretrained(RM_DIR)
    rm_tok.chat_template = RM_CHAT_TEMPLATE
    cases = []
    for prompt, completion in [
            ([{"role": "user", "content": "Define cat."}], "A small animal."),
            ([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Define up."}],
             " The opposite of down")]:
        text = apply_chat_template({"messages": prompt + [{"role": "assistant", "content": completion}]},
                                   rm_tok)["text"]
        ids = rm_tok(text=[text], add_special_tokens=False)["input_ids"][0]
        cases.append({"messages": prompt, "completion": completion, "text": text, "ids": ids})
    (OUT / "reward-model-chat.json").write_text(json.dumps(
        {"versions": VERSIONS, "chat_template": RM_CHAT_TEMPLATE, "cases": cases}, indent=1) + "\n")
    print(json.dumps(cases, indent=1))


if __name__ == "__main__":
    main()
    reward_model_main()
    reward_model_chat_main()
