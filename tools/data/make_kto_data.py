"""Judged answers for the kto example, from the WordNet preference pairs of the rm and dpo examples.

One record per "Define <word>." pair of examples/data/wordnet-preferences.jsonl (see
make_preference_data.py), labels alternating: even pairs give their chosen answer (the word's own
gloss, label true), odd pairs their rejected one (the same gloss with its words scrambled, label false). So each word
appears once, both kinds are in every batch, and the KL rows, which pair a prompt with the answer
of the record before it, almost never meet the prompt's own answer. (Unpairing the preference
file instead, as TRL does, puts the chosen answers of each block of 1000 pairs before their
rejected ones, and stage kto reads its data in order, as TRL does.)

Usage (stdlib only):
  python3 tools/data/make_kto_data.py examples/data/wordnet-preferences.jsonl \
      examples/data/wordnet-kto.jsonl
"""
import json
import sys


def main(source, target):
    pairs = [json.loads(line) for line in open(source, encoding="utf-8")]
    with open(target, "w", encoding="utf-8") as out:
        for i, pair in enumerate(pairs):
            desirable = i % 2 == 0
            out.write(json.dumps({"prompt": pair["instruction"],
                                  "completion": pair["chosen" if desirable else "rejected"],
                                  "label": desirable}) + "\n")
    print(f"{len(pairs)} records, {(len(pairs) + 1) // 2} desirable")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
