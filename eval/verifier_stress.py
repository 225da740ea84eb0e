"""The verifier alone: corrupt the extractive answers of an eval set and count what it catches.

For every answerable question the extractive answer's lead sentence, cited to its passage, is
the "correct" generated sentence (it must be kept: a drop is a wrongly dropped correct
sentence). Then one corruption at a time, each of which must be caught:
- number: a number of the sentence changed (+1);
- name: a person's name replaced by one from another report;
- place: a capitalised place name replaced by one from another report;
- year: a year changed (+1);
- citation: the sentence cited to another passage (caught = re-cited to its own passage);
- invented: a sentence of another report appended, cited [1];
- negation: a "không", "chưa", "ngoài" … of the sentence left out (the sentence turned around);
and for every question the reports cannot answer, the question restated and answered with a
name of its best-matching passage, as a model does with a near-miss (caught = dropped). No model runs: this measures the verifier only.

    python eval/verifier_stress.py                                     # the seeds
    python eval/verifier_stress.py --corpus ../shared/corpora/vinewsqa-dev
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.answer.extractive import ExtractiveAnswerer  # noqa: E402
from rag.answer.generated import select_passages  # noqa: E402
from rag.answer.kinds import person_names  # noqa: E402
from rag.answer.verifier import Passage, facts, verify  # noqa: E402
from rag.text.normalize import fold  # noqa: E402

_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_NUMBER = re.compile(r"(?<![\d.,/-])\d{1,3}(?![\d.,/-])")
_NEGATION = re.compile(r"(?<!\w)(?:không|chưa|chẳng|ngoài) (?=\w+ \w)", re.IGNORECASE)


def corruptions(sentence: str, other_names: list[str], other_places: list[str], context: str) -> dict[str, str]:
    """Each corruption that applies to this sentence (name -> corrupted sentence). A swapped-in
    name is one the passage's context (its sentence, title, the sentence before) never says."""
    said = fold(context)
    other_names = [n for n in other_names if fold(n) not in said]
    other_places = [p for p in other_places if fold(p) not in said]
    out = {}
    if m := _NUMBER.search(sentence):
        out["number"] = sentence[: m.start()] + str(int(m.group()) + 1) + sentence[m.end() :]
    names = person_names(sentence)
    if names and (swap := next((n for n in other_names if n not in sentence), None)):
        out["name"] = sentence.replace(names[0], swap, 1)
    places = [f for f in facts(sentence) if " " in f and f not in names and not f[0].isdigit()]
    if places and (swap := next((p for p in other_places if p not in sentence), None)):
        out["place"] = sentence.replace(places[0], swap, 1)
    if m := _YEAR.search(sentence):
        out["year"] = sentence[: m.start()] + str(int(m.group()) + 1) + sentence[m.end() :]
    if m := _NEGATION.search(sentence):
        out["negation"] = sentence[: m.start()] + sentence[m.end() :]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT / "seeds")
    parser.add_argument("--qa", type=Path)
    parser.add_argument("--show", action="store_true", help="print each corruption the verifier missed")
    args = parser.parse_args()

    from rag.chain import open_pipeline
    from rag.evaluation.command import corpus_name, corpus_settings
    from rag.evaluation.dataset import corpus_paths, load
    from rag.ingest.pipeline import ingest
    from rag.retrieval.store import ReportStore
    from rag.settings import Settings

    docs, qa = corpus_paths(args.corpus, args.qa)
    settings = corpus_settings(Settings.load(), docs, corpus_name(docs))
    ingest([docs], ReportStore.open(settings, create=True), settings.lexical_dir, progress=False)
    pipeline = open_pipeline(replace(settings, answerer="extractive"))
    gate = ExtractiveAnswerer()
    items = load(qa)

    # names and places of every report, to swap in from another report
    texts = {d: pipeline.store.report(d).text for d in pipeline.store.reports()}
    names = {d: person_names(t) for d, t in texts.items()}
    places = {d: [f for f in facts(t) if " " in f and f not in names[d] and not f[0].isdigit()] for d, t in texts.items()}

    tried, caught, kept_correct, correct = Counter(), Counter(), 0, 0
    for item in items:
        ev, _ = pipeline.evidence_for(item.question)
        if not item.answerable:
            scored = sorted(ev.sentences, key=lambda s: -s.coverage)[:5]
            if not scored:
                continue
            passages = [Passage(n, s) for n, s in enumerate(scored, start=1)]
            # what a model does with a near-miss: restate the question, answer with a name of the passage
            top = scored[0].text
            fact = next(iter(person_names(top) + facts(top)), None)
            if fact is None:
                continue
            tried["near-miss"] += 1
            q = item.question.rstrip(" ?")
            checks = verify(f"{q}: {fact} [1]", passages, ev.entities, item.question)
            caught["near-miss"] += not all(c.verified for c in checks)
            continue
        gated = gate.invoke(ev)
        if gated.refused:
            continue
        passages = select_passages(ev, gated, gate.usable(ev), 5)
        if not passages:  # answered from metadata (outlet, byline): nothing generated there
            continue
        lead = passages[0]
        sentence = lead.sentence.text
        correct += 1
        checks = verify(f"{sentence} [1]", passages, ev.entities, item.question)
        checked = checks[0]
        kept_correct += all(c.verified and c.passage.marker == 1 for c in checks)
        if args.show and not (checked.verified and checked.passage.marker == 1):
            print(f"DROPPED correct: {sentence[:160]}\n   {checked.note}")
        others = [d for d in texts if d != lead.sentence.doc_id]
        context = " ".join(filter(None, [sentence, lead.sentence.title,
                                         lead.sentence.previous.text if lead.sentence.previous else ""]))
        for kind, corrupted in corruptions(sentence, [n for d in others for n in names[d]],
                                           [p for d in others for p in places[d]], context).items():
            tried[kind] += 1
            checks = verify(f"{corrupted} [1]", passages, ev.entities, item.question)  # may split anew
            caught[kind] += not all(c.verified for c in checks)
            if all(c.verified for c in checks) and args.show:
                print(f"MISSED {kind}: {corrupted[:160]}\n   passage: {checks[0].passage.sentence.text[:160]}")
        if len(passages) > 1:
            tried["citation"] += 1
            checked = verify(f"{sentence} [2]", passages, ev.entities, item.question)[0]
            caught["citation"] += checked.verified and checked.passage.marker == 1 and passages[1].sentence.text != sentence
            if args.show and not (checked.verified and checked.passage.marker == 1):
                print(f"MISSED citation: {sentence[:160]}\n   [2]: {passages[1].sentence.text[:160]}\n   {checked.note}")
        given = {fold(p.sentence.text) for p in passages}
        foreign = next((t for d in others for t in re.split(r"(?<=\.)\s+", texts[d])
                        if len(t) > 60 and fold(t) not in given), None)
        if foreign:
            tried["invented"] += 1
            checks = verify(f"{sentence} [1] {foreign} [1]", passages, ev.entities, item.question)
            invented = [c for c in checks if c.text != sentence]  # it may split into several sentences
            caught["invented"] += not any(c.verified for c in invented)
            if args.show and any(c.verified for c in invented):
                print(f"MISSED invented: {foreign[:160]}")

    rows = [("corruption", "tried", "caught", "share")]
    rows += [(k, str(tried[k]), str(caught[k]), f"{caught[k] / tried[k]:.2f}") for k in tried]
    rows += [("correct sentence kept", str(correct), str(kept_correct), f"{kept_correct / max(correct, 1):.2f}")]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"verifier on {corpus_name(docs)} ({len(items)} questions)")
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    main()
