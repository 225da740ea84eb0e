"""How many seed questions a bench corpus leaves undecidable by their words (prints numbers; not a test).

    python eval/bench_lookalikes.py .cache/bench/home-10000-pooled [--qa eval/qa.jsonl]

A synthetic report recombines the seeds' sentences, so it may hold every word of a question that
the question's own report holds (the fact asked for swapped, nothing the question names).
When at least five such look-alikes exist, no ranking by the question's words can put the seed
report in the top five: the question is "look-alike". For each question this prints nothing;
at the end, a table: questions, look-alike ones, and hit@1/hit@5 of the retriever on both groups
(the retriever of the index in HOME, k = the settings' k, as `baocao bench` counts).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.chain import open_pipeline  # noqa: E402
from rag.evaluation.dataset import load  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.text.tokens import lexical_tokens, query_tokens  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path, help="BAOCAO_HOME of a bench index")
    parser.add_argument("--qa", type=Path, default=Path(__file__).parent / "qa.jsonl")
    args = parser.parse_args()
    pipeline = open_pipeline(Settings.load(home=args.home))
    store = pipeline.store
    words: dict[str, set[str]] = {}
    for doc in store.chunks(store.reports()):
        words.setdefault(doc.metadata["doc_id"], set()).update(lexical_tokens(doc.page_content))
    seeds = {d for d in words if not d.startswith("synthetic")}
    rows = {"decidable": [0, 0, 0], "look-alike": [0, 0, 0]}  # questions, hit@1, hit@5
    for item in (i for i in load(args.qa) if i.answerable):
        asked = set(query_tokens(item.question))
        shared = [asked & words[d] for d in item.doc_ids if d in words]
        lookalikes = min((sum(s <= words[d] for d in words if d not in seeds) for s in shared), default=0)
        group = rows["look-alike" if lookalikes >= 5 else "decidable"]
        ranked = list(dict.fromkeys(d.metadata["doc_id"] for d in pipeline.retriever.invoke(item.question)))
        group[0] += 1
        group[1] += bool(set(ranked[:1]) & set(item.doc_ids))
        group[2] += bool(set(ranked[:5]) & set(item.doc_ids))
    print("| questions | n | hit@1 | hit@5 |\n|---|---|---|---|")
    for name, (n, h1, h5) in rows.items():
        print(f"| {name} | {n} | {h1 / max(n, 1):.3f} | {h5 / max(n, 1):.3f} |")
    n = sum(r[0] for r in rows.values())
    print(f"| all | {n} | {sum(r[1] for r in rows.values()) / n:.3f} | {sum(r[2] for r in rows.values()) / n:.3f} |")


if __name__ == "__main__":
    main()
