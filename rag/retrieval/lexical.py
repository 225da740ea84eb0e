"""BM25 (bm25s) over folded Vietnamese tokens, persisted beside the store.

One index per unit: chunks (for retrieval) and sentences (for finding the one
sentence that answers). Each is built from the store's complete reports and saved
with the store's fingerprint; loading rebuilds only when the store has changed
(another ingest, or a teammate's ingest into a shared Chroma server).
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Literal

import numpy as np

from rag.retrieval.store import ReportStore
from rag.text.tokens import TOKENS_VERSION, lexical_tokens, query_tokens

_META = "baocao.json"
Unit = Literal["chunks", "sentences"]


def index_fingerprint(store: ReportStore, generation: str | None = None) -> str:
    """What the saved indexes are keyed by: the store's generation (one round trip, skipped when
    the caller read it already), or for an index from before generations, a digest of every
    report record (reads them all)."""
    generation = generation or store.generation()
    return f"{f'g{generation}' if generation else store.fingerprint()}/t{TOKENS_VERSION}"


class LexicalIndex:
    def __init__(self, bm25, ids: list[str], meta: list[dict], fingerprint: str) -> None:
        self.bm25 = bm25
        self.ids = ids
        self.meta = meta  # per item: doc_id, start, end, year (+ chunk fields)
        self.fingerprint = fingerprint
        self.doc_ids = frozenset(m["doc_id"] for m in meta)
        self._spans: dict[str, list[tuple[int, int, int]]] | None = None
        self._reports: tuple[list[str], np.ndarray, list[np.ndarray]] | None = None
        self._last: tuple[str, list[str], np.ndarray] | None = None  # the last query's tokens and scores
        self._last_coverage: tuple[str, np.ndarray] | None = None

    def covering(self, doc_id: str, start: int, end: int) -> list[int]:
        """Positions of the items of a report that hold the span [start, end)."""
        if self._spans is None:
            spans: dict[str, list[tuple[int, int, int]]] = {}
            for i, m in enumerate(self.meta):
                spans.setdefault(m["doc_id"], []).append((m["start"], m["end"], i))
            self._spans = spans
        return [i for a, b, i in self._spans.get(doc_id, ()) if a <= start and end <= b]

    @classmethod
    def build(cls, store: ReportStore, unit: Unit = "chunks", fingerprint: str | None = None) -> "LexicalIndex":
        import bm25s

        fingerprint = fingerprint or index_fingerprint(store)
        complete = store.reports()
        docs = store.chunks(complete) if unit == "chunks" else store.sentence_docs(complete)
        docs.sort(key=lambda d: (d.metadata["doc_id"], d.metadata["start"]))
        bm25 = bm25s.BM25()
        if docs:
            # a chunk is also found by the headings above it ("Điều 19", "Chương II › Tuyển sinh")
            bm25.index([lexical_tokens(f"{d.metadata.get('section', '')}\n{d.page_content}") or ["\x00"]
                        for d in docs], show_progress=False)
        return cls(bm25, [d.id for d in docs], [d.metadata for d in docs], fingerprint)

    def save(self, folder: Path) -> None:
        """Atomic: written in a temporary folder beside the target, then swapped in."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".lexical-", dir=folder.parent))
        if self.ids:
            self.bm25.save(str(tmp), show_progress=False)
        (tmp / _META).write_text(json.dumps({"fingerprint": self.fingerprint, "ids": self.ids, "meta": self.meta}))
        # Several threads or processes may save at once (readers reopening after a teammate's
        # ingest): each moves the old folder to its own place, and a loser of the last swap keeps
        # the winner's index, which was built from the same store.
        old = Path(tempfile.mkdtemp(prefix=".lexical-old-", dir=folder.parent))
        try:
            os.replace(folder, old)
        except FileNotFoundError:
            pass
        try:
            os.replace(tmp, folder)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex | None":
        import bm25s

        try:
            saved = json.loads((folder / _META).read_text())
            bm25 = bm25s.BM25.load(str(folder)) if saved["ids"] else bm25s.BM25()
            return cls(bm25, saved["ids"], saved["meta"], saved["fingerprint"])
        except (OSError, ValueError, KeyError):
            return None

    @classmethod
    def for_store(cls, store: ReportStore, folder: Path, unit: Unit = "chunks", fingerprint: str | None = None
                  ) -> "LexicalIndex":
        """The saved index if it matches the store, else a fresh build (saved). `fingerprint`:
        `index_fingerprint(store)` when the caller has it already."""
        fingerprint = fingerprint or index_fingerprint(store)
        index = cls.load(folder / unit)
        if index is None or index.fingerprint != fingerprint:
            index = cls.build(store, unit, fingerprint)
            index.save(folder / unit)
        return index

    def _scores(self, query: str) -> tuple[list[str], np.ndarray | None]:
        """The query's tokens this index knows and every item's BM25 score, kept for the next
        call with the same query (the retriever asks twice: items, then reports)."""
        last = self._last
        if last is not None and last[0] == query:
            return last[1], last[2]
        vocab = self.bm25.vocab_dict
        tokens = [t for t in query_tokens(query) if t in vocab]
        scores = self.bm25.get_scores(tokens) if tokens else None
        self._last = (query, tokens, scores)
        return tokens, scores

    def search(self, query: str, k: int, allowed=None) -> list[tuple[int, float]]:
        """(position in ids, BM25 score) best first; `allowed(meta) -> bool` filters."""
        if not self.ids:
            return []
        _, scores = self._scores(query)
        if scores is None:
            return []
        hits = []
        for i in scores.argsort()[::-1]:
            if scores[i] <= 0 or len(hits) >= k:
                break
            if allowed is None or allowed(self.meta[i]):
                hits.append((int(i), float(scores[i])))
        return hits

    def search_reports(self, query: str, k: int, allowed=None) -> list[tuple[int, float]]:
        """The best item (position, BM25 score) of each of the `k` reports that hold most of the
        query: the sum, over the query's distinct tokens found anywhere in a report, of their
        inverse report frequency. A question names several things its report states in different
        passages; a look-alike passage elsewhere shares one of them, rarely all."""
        if not self.ids:
            return []
        tokens, scores = self._scores(query)
        if scores is None:
            return []
        names, report_of, items_of = self._report_positions()
        coverage = self._coverage(query, tokens, len(names), report_of)
        hits = []
        for r in np.lexsort((np.arange(len(names)), -coverage)):
            if len(hits) >= k or coverage[r] <= 0:
                break
            items = items_of[r]
            i = int(items[np.argmax(scores[items])])  # the report's best item
            if allowed is None or allowed(self.meta[i]):
                hits.append((i, float(scores[i])))
        return hits

    def search_top_reports(self, query: str, reports: int, k: int, allowed=None, within: float = 0.0,
                           ) -> list[tuple[int, float]]:
        """(position, BM25 score) of the items of the `reports` reports holding most of the query
        (as `search_reports` ranks them), best first; of those, only the reports holding at least
        `within` times what the first holds."""
        hits = self.search_reports(query, reports, allowed)
        if not hits:
            return []
        tokens, scores = self._scores(query)
        names, report_of, items_of = self._report_positions()
        coverage = self._coverage(query, tokens, len(names), report_of)
        best = coverage[report_of[hits[0][0]]]
        items = np.concatenate([items_of[report_of[i]] for i, _ in hits if coverage[report_of[i]] >= within * best])
        ranked = items[np.argsort(-scores[items], kind="stable")]
        return [(int(i), float(scores[i])) for i in ranked
                if scores[i] > 0 and (allowed is None or allowed(self.meta[i]))][:k]

    def _coverage(self, query: str, tokens: list[str], reports: int, report_of: np.ndarray) -> np.ndarray:
        """Per report, the sum of the inverse report frequencies of the query's tokens it holds;
        kept for the next call with the same query (the named-year search asks again)."""
        last = self._last_coverage
        if last is not None and last[0] == query:
            return last[1]
        indptr, indices = self.bm25.scores["indptr"], self.bm25.scores["indices"]
        coverage = np.zeros(reports)
        for token in dict.fromkeys(tokens):
            tid = self.bm25.vocab_dict[token]
            holds = np.zeros(reports, dtype=bool)
            holds[report_of[indices[indptr[tid]:indptr[tid + 1]]]] = True
            coverage += holds * math.log(reports / max(1, int(holds.sum())))
        self._last_coverage = (query, coverage)
        return coverage

    def _report_positions(self) -> tuple[list[str], np.ndarray, list[np.ndarray]]:
        """The reports; for each item, the position of its report; for each report, its items."""
        if self._reports is None:
            names = sorted(self.doc_ids)
            position = {name: n for n, name in enumerate(names)}
            report_of = np.array([position[m["doc_id"]] for m in self.meta], dtype=np.int64)
            order = np.argsort(report_of, kind="stable")
            items_of = np.split(order, np.flatnonzero(np.diff(report_of[order])) + 1) if len(order) else []
            self._reports = names, report_of, items_of
        return self._reports

    def idf(self, token: str) -> float:
        """Inverse document frequency of a token among the items (0 when unseen)."""
        df = self.document_frequency(token)
        n = len(self.ids)
        return math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else 0.0

    def document_frequency(self, token: str) -> int:
        tid = self.bm25.vocab_dict.get(token)
        if tid is None:
            return 0
        indptr = self.bm25.scores["indptr"]  # CSC: one column per token
        return int(indptr[tid + 1] - indptr[tid])
