"""Preference pairs for the rm and dpo examples, from the WordNet instructions of the default run.

For every "Define <word>." record of examples/data/wordnet-definitions.jsonl (glosses of WordNet
3.0, see make_default_data.py), chosen = the word's own gloss and rejected = the gloss of another
word of the file, drawn by a seeded derangement (never the word's own). The prompt is kept in
LLaMA-Factory's alpaca layout (instruction, input), which the examples map with
`columns: {instruction: instruction}`.

Usage (stdlib only):
  python3 tools/data/make_preference_data.py examples/data/wordnet-definitions.jsonl \
      examples/data/wordnet-preferences.jsonl
"""
import json
import random
import sys


def main(source, target):
    records = [json.loads(line) for line in open(source, encoding="utf-8")]
    others = list(range(len(records)))
    rng = random.Random(12)
    while True:
        rng.shuffle(others)
        if all(i != j and records[i]["output"] != records[j]["output"] for i, j in enumerate(others)):
            break
    with open(target, "w", encoding="utf-8") as out:
        for i, record in enumerate(records):
            out.write(json.dumps({"instruction": record["instruction"], "input": "",
                                  "chosen": record["output"],
                                  "rejected": records[others[i]]["output"]}) + "\n")
    print(f"{len(records)} pairs")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
