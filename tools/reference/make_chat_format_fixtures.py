"""ChatML set-up of a base model without a chat template, as TRL's setup_chat_format did
(trl <= 0.19, trl/models/utils.py; TRL 1.x replaced it with clone_chat_template, which needs a
second tokenizer from the hub). The function below is TRL's code, unchanged but for the import
of the template; the numerics (new token ids, resize_token_embeddings' mean initialisation) are
transformers' own.

Writes trainer-image/src/test/resources/fixtures/chat-format/tiny-llama-moby.json: the grown
vocabulary, the ids of <|im_start|>/<|im_end|>, the config's bos/eos/pad ids, the ids of a
conversation rendered by apply_chat_template, the new embedding rows and the logits at its last
positions.

Run: tools/reference/.venv/bin/python tools/reference/make_chat_format_fixtures.py
"""
import json
import pathlib

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples/models/tiny-llama-moby"
OUT = ROOT / "trainer-image/src/test/resources/fixtures/chat-format/tiny-llama-moby.json"

BOS, EOS, PAD = "<|im_start|>", "<|im_end|>", "<|im_end|>"
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    f"{{{{'{BOS}' + message['role'] + '\n' + message['content'] + '{EOS}' + '\n'}}}}"
    "{% endfor %}"
    "{% if add_generation_prompt %}"
    f"{{{{ '{BOS}assistant\n' }}}}"
    "{% endif %}"
)


def setup_chat_format(model, tokenizer, resize_to_multiple_of=None):
    # trl 0.19 trl/models/utils.py setup_chat_format, format="chatml"
    if tokenizer.chat_template is not None:
        raise ValueError("Chat template is already added to the tokenizer.")
    tokenizer.eos_token = EOS
    tokenizer.pad_token = PAD
    tokenizer.bos_token = BOS
    tokenizer.add_special_tokens({"additional_special_tokens": [BOS, EOS]})
    tokenizer.chat_template = CHAT_TEMPLATE
    model.resize_token_embeddings(
        len(tokenizer),
        pad_to_multiple_of=resize_to_multiple_of if resize_to_multiple_of is not None else None,
    )
    if getattr(model, "config", None) is not None:
        model.config.pad_token_id = tokenizer.pad_token_id
        model.config.bos_token_id = tokenizer.bos_token_id
        model.config.eos_token_id = tokenizer.eos_token_id
    if getattr(model, "generation_config", None) is not None:
        model.generation_config.bos_token_id = tokenizer.bos_token_id
        model.generation_config.eos_token_id = tokenizer.eos_token_id
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


CONVERSATION = [
    {"role": "system", "content": "You are a dictionary."},
    {"role": "user", "content": "Define harbor."},
    {"role": "assistant", "content": "a sheltered port"},
]


def main():
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(MODEL)
    old_vocab = model.get_input_embeddings().weight.shape[0]
    model, tokenizer = setup_chat_format(model, tokenizer)
    model.eval()
    text = tokenizer.apply_chat_template(CONVERSATION, tokenize=False)
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0]
    embeddings = model.get_input_embeddings().weight
    fixture = {
        "oldVocabSize": old_vocab,
        "vocabSize": embeddings.shape[0],
        "imStartId": tokenizer.convert_tokens_to_ids(BOS),
        "imEndId": tokenizer.convert_tokens_to_ids(EOS),
        "bosTokenId": model.config.bos_token_id,
        "eosTokenId": model.config.eos_token_id,
        "padTokenId": model.config.pad_token_id,
        "conversation": CONVERSATION,
        "text": text,
        "ids": ids,
        "newEmbeddingRows": embeddings[old_vocab:].tolist(),
        "lastLogits": logits[-3:].tolist(),
    }
    OUT.write_text(json.dumps(fixture) + "\n")
    print(f"wrote {OUT}: vocab {old_vocab} -> {fixture['vocabSize']}, {len(ids)} ids")


if __name__ == "__main__":
    main()
