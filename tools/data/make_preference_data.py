"""Preference pairs for the rm and dpo examples, from the WordNet instructions of the default run.

For every "Define <word>." record of examples/data/wordnet-definitions.jsonl (glosses of WordNet
3.0, see make_default_data.py), chosen = the word's own gloss and rejected = the same gloss with
its words in a seeded random order (capital first letter and final full stop kept, so that only
the order differs). Glosses of fewer than three words are left out. The examples' small model
learnt English word order from Moby-Dick but knows little of word meanings: pairs whose rejected
answer was another word's gloss (the first version of this file) were beyond it (held-out
accuracy stayed at chance), while a well-formed answer over a scrambled one is a preference it can
learn in a few minutes on a CPU. The prompt is kept in LLaMA-Factory's alpaca layout (instruction,
input), which the examples map with `columns: {instruction: instruction}`.

Usage (stdlib only):
  python3 tools/data/make_preference_data.py examples/data/wordnet-definitions.jsonl \
      examples/data/wordnet-preferences.jsonl
"""
import json
import random
import sys


def scrambled(gloss, rng):
    words = gloss.rstrip(".").split()
    words[0] = words[0][0].lower() + words[0][1:]
    for _ in range(20):
        order = words[:]
        rng.shuffle(order)
        if order != words:
            text = " ".join(order)
            return text[0].upper() + text[1:] + "."
    return None


def main(source, target):
    records = [json.loads(line) for line in open(source, encoding="utf-8")]
    rng = random.Random(12)
    pairs = 0
    with open(target, "w", encoding="utf-8") as out:
        for record in records:
            gloss = record["output"]
            if len(gloss.split()) < 3:
                continue
            rejected = scrambled(gloss, rng)
            if rejected is None:
                continue
            out.write(json.dumps({"instruction": record["instruction"], "input": "",
                                  "chosen": gloss, "rejected": rejected}) + "\n")
            pairs += 1
    print(f"{pairs} pairs")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
