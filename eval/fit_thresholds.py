"""Fit the extractive answerer's thresholds on one corpus, score them on the others.

The answerer is a pure function of the evidence bundle, so the bundles are computed once
per question (retrieval + evidence step) and every threshold setting is replayed on them in
milliseconds. Fitting uses only the dev split of the fitting corpus; the table shows how
each fit scores on every corpus's dev and test splits (test is the honest number).

    python eval/fit_thresholds.py                       # seeds + ../shared/corpora/vinewsqa-dev
    python eval/fit_thresholds.py --corpus seeds --corpus path/to/corpus
"""
from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.answer.extractive import ExtractiveAnswerer  # noqa: E402
from rag.evaluation.metrics import fact_recall, span_match  # noqa: E402

SECOND = ROOT.parent / "shared" / "corpora" / "vinewsqa-dev"
GRID = {
    "min_evidence": [0.35, 0.4, 0.45, 0.5, 0.55],
    "min_concept_coverage": [0.1, 0.2, 0.3],
    "coverage_weight": [0.5, 0.6, 0.7],
    "sim_z_floor": [-4.3, -3.3, -2.3],
}


def bundles(corpus: Path, qa: Path, settings) -> list[tuple]:
    """(item, evidence) for every question of a corpus, indexed in its own eval data folder."""
    from tqdm import tqdm

    from rag.chain import open_pipeline
    from rag.evaluation.command import corpus_name, corpus_settings
    from rag.evaluation.dataset import load
    from rag.ingest.pipeline import ingest
    from rag.retrieval.store import ReportStore

    name = corpus_name(corpus)
    settings = corpus_settings(settings, corpus, name)
    store = ReportStore.open(settings, create=True)
    ingest([corpus], store, settings.lexical_dir, progress=False)
    pipeline = open_pipeline(settings, store)
    items = [i for i in load(qa) if not i.history]
    return [(item, pipeline.evidence_for(item.question)[0]) for item in tqdm(items, desc=name, unit="q")]


def correct(item, answer) -> bool:
    if not item.answerable:
        return answer.refused
    if answer.refused:
        return False
    return fact_recall(item, answer.answer) == 1.0 if item.facts else span_match(item, answer.answer) == 1.0


def accuracy(answerer: ExtractiveAnswerer, pairs: list[tuple], split: str = "all") -> float:
    chosen = [(i, e) for i, e in pairs if split == "all" or i.split == split]
    return sum(correct(i, answerer.invoke(e)) for i, e in chosen) / max(1, len(chosen))


def fit(pairs: list[tuple]) -> dict:
    """The grid point with the best dev accuracy (ties: the one nearest the defaults, listed first)."""
    best, best_score = {}, -1.0
    for values in itertools.product(*GRID.values()):
        params = dict(zip(GRID, values))
        score = accuracy(ExtractiveAnswerer(**params), pairs, "dev")
        if score > best_score + 1e-9:
            best, best_score = params, score
    return best


def main() -> None:
    from rag.evaluation.dataset import corpus_paths
    from rag.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", type=Path, help="corpus folder (repeatable)")
    args = parser.parse_args()
    corpora = args.corpus or [ROOT / "seeds", *([SECOND] if SECOND.is_dir() else [])]
    settings = Settings.load()
    data = {}
    for corpus in corpora:
        docs, qa = corpus_paths(corpus, None)
        data[corpus.resolve().name] = bundles(docs, qa, settings)
    fits = {"defaults": {}}
    fits.update({f"fit on {name} dev": fit(pairs) for name, pairs in data.items()})
    if len(data) > 1:
        fits["fit on every dev"] = fit([pair for pairs in data.values() for pair in pairs])
    headers = ["thresholds"] + [f"{n} {s}" for n in data for s in ("dev", "test")]
    print("| " + " | ".join(headers) + " |\n|" + "---|" * len(headers))
    for label, params in fits.items():
        answerer = ExtractiveAnswerer(**params)
        cells = [f"{accuracy(answerer, data[n], s):.3f}" for n in data for s in ("dev", "test")]
        print(f"| {label} | " + " | ".join(cells) + " |")
    for label, params in fits.items():
        print(f"{label}: {params or 'as shipped'}")


if __name__ == "__main__":
    main()
