"""Prompts for the on-policy stages (examples/local/ppo.yaml reads them), made from the embedded
default's data (make_default_data.py).

Each "Define <word>." instruction of examples/data/wordnet-definitions.jsonl becomes a prompt in the
form of the dictionary lines the embedded model was pre-trained on ("<word>:", see
make_default_data.py), with an `answer` column holding the word's WordNet 3.0 gloss as those lines
write it (first letter lower case, full stop), and the instruction kept as `instruction`. A first
grpo example rewarded exact matches with `answer`; the embedded model knows no glosses and never
matched, so examples/local/grpo.yaml now uses make_inflection_data.py's prompts. The first 1,000
words are kept (the file stays small).

Run: python3 tools/data/make_grpo_data.py
"""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "examples/data/wordnet-definitions.jsonl"
OUT = ROOT / "examples/data/wordnet-prompts.jsonl"
WORDS = 1000


def main():
    rows = [json.loads(line) for line in SOURCE.read_text(encoding="utf-8").splitlines()][:WORDS]
    with open(OUT, "w", encoding="utf-8") as f:
        for row in rows:
            word = row["instruction"].removeprefix("Define ").removesuffix(".")
            gloss = row["output"][0].lower() + row["output"][1:]
            f.write(json.dumps({"prompt": f"{word}:", "answer": gloss,
                                "instruction": row["instruction"]}) + "\n")
    print(f"{len(rows)} prompts in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
