"""Renders conversations with real chat templates through transformers' own renderer
(the code behind tokenizer.apply_chat_template), so the Java JinjaChatTemplate can be
compared to it.

Templates: trainer-image/src/test/resources/chat-templates/*.jinja, copied from llama.cpp's
models/templates (bundled in npm node-llama-cpp@3.22.1, llama/gitRelease.bundle).

Run: tools/reference/.venv/bin/python tools/reference/make_chat_template_fixtures.py
"""
import json
import pathlib

import transformers
from transformers.utils.chat_template_utils import render_jinja_template

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "trainer-image/src/test/resources/chat-templates"
OUT = TEMPLATES / "expected.json"

# Special tokens as each model's tokenizer_config.json names them.
TOKENS = {
    "meta-llama-Llama-3.1-8B-Instruct": ("<|begin_of_text|>", "<|eot_id|>"),
    "meta-llama-Llama-3.2-3B-Instruct": ("<|begin_of_text|>", "<|eot_id|>"),
    "Qwen-Qwen2.5-7B-Instruct": ("", "<|im_end|>"),
    "mistralai-Mistral-Nemo-Instruct-2407": ("<s>", "</s>"),
}

CONVERSATIONS = {
    "single": [
        {"role": "user", "content": "Define the word 'harbor'."},
        {"role": "assistant", "content": "A sheltered place where ships can anchor."},
    ],
    "system": [
        {"role": "system", "content": "You are a concise dictionary."},
        {"role": "user", "content": "Define 'lantern'."},
        {"role": "assistant", "content": "A portable light in a case."},
    ],
    "multi": [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "What is 2 + 2?"},
        {"role": "assistant", "content": "4"},
        {"role": "user", "content": "And times 3? Ünïcödé ✓"},
        {"role": "assistant", "content": "  12  "},
    ],
}


def main():
    cases = []
    for path in sorted(TEMPLATES.glob("*.jinja")):
        bos, eos = TOKENS[path.stem]
        template = path.read_text()
        for name, messages in CONVERSATIONS.items():
            for upto, generation in ((len(messages), False), (len(messages) - 1, True)):
                rendered = render_jinja_template(
                    conversations=[messages[:upto]],
                    chat_template=template,
                    add_generation_prompt=generation,
                    bos_token=bos,
                    eos_token=eos,
                    date_string="26 Jul 2024",
                )[0][0]
                cases.append({
                    "template": path.name, "conversation": name, "messages": messages[:upto],
                    "add_generation_prompt": generation, "bos_token": bos, "eos_token": eos,
                    "date_string": "26 Jul 2024", "expected": rendered,
                })
    OUT.write_text(json.dumps({
        "made_by": "tools/reference/make_chat_template_fixtures.py",
        "transformers": transformers.__version__,
        "cases": cases,
    }, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
