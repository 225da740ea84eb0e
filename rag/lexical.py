"""BM25 (bm25s) over folded Vietnamese tokens, persisted beside the store.

Built from the store's complete reports and saved with the store's fingerprint;
loading checks the fingerprint and rebuilds only when the store has changed
(another ingest, or a teammate's ingest into a shared Chroma server).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from rag.store import ReportStore
from rag.text.tokens import TOKENS_VERSION, lexical_tokens, query_tokens

_META = "baocao.json"


def _fingerprint(store: ReportStore) -> str:
    """What the index was built from: the store's reports and the tokenizer's version."""
    return f"{store.fingerprint()}/t{TOKENS_VERSION}"


class LexicalIndex:
    def __init__(self, bm25, chunk_ids: list[str], chunk_meta: list[dict], fingerprint: str) -> None:
        self.bm25 = bm25
        self.chunk_ids = chunk_ids
        self.chunk_meta = chunk_meta
        self.fingerprint = fingerprint
        self.doc_ids = frozenset(m["doc_id"] for m in chunk_meta)

    @classmethod
    def build(cls, store: ReportStore, fingerprint: str | None = None) -> "LexicalIndex":
        import bm25s

        fingerprint = fingerprint or _fingerprint(store)
        docs = sorted(store.chunks(store.reports()), key=lambda d: d.metadata["chunk_id"])
        bm25 = bm25s.BM25()
        if docs:
            bm25.index([lexical_tokens(d.page_content) or ["\x00"] for d in docs], show_progress=False)
        return cls(bm25, [d.metadata["chunk_id"] for d in docs], [d.metadata for d in docs], fingerprint)

    def save(self, folder: Path) -> None:
        """Atomic: written in a temporary folder beside the target, then swapped in."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".lexical-", dir=folder.parent))
        if self.chunk_ids:
            self.bm25.save(str(tmp), show_progress=False)
        (tmp / _META).write_text(
            json.dumps({"fingerprint": self.fingerprint, "chunk_ids": self.chunk_ids, "chunk_meta": self.chunk_meta})
        )
        old = folder.with_name(folder.name + ".old")
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex | None":
        import bm25s

        try:
            meta = json.loads((folder / _META).read_text())
            bm25 = bm25s.BM25.load(str(folder)) if meta["chunk_ids"] else bm25s.BM25()
        except (OSError, ValueError, KeyError):
            return None
        return cls(bm25, meta["chunk_ids"], meta["chunk_meta"], meta["fingerprint"])

    @classmethod
    def for_store(cls, store: ReportStore, folder: Path) -> "LexicalIndex":
        """The saved index if it matches the store, else a fresh build (saved)."""
        fingerprint = _fingerprint(store)
        index = cls.load(folder)
        if index is None or index.fingerprint != fingerprint:
            index = cls.build(store, fingerprint)
            index.save(folder)
        return index

    def search(self, query: str, k: int, allowed=None) -> list[tuple[int, float]]:
        """(position in chunk_ids, BM25 score) best first; `allowed(meta) -> bool` filters."""
        if not self.chunk_ids:
            return []
        vocab = self.bm25.vocab_dict
        tokens = [t for t in query_tokens(query) if t in vocab]
        if not tokens:
            return []
        scores = self.bm25.get_scores(tokens)
        order = scores.argsort()[::-1]
        hits = []
        for i in order:
            if scores[i] <= 0 or len(hits) >= k:
                break
            if allowed is None or allowed(self.chunk_meta[i]):
                hits.append((int(i), float(scores[i])))
        return hits

    def idf(self, token: str) -> float:
        """Inverse document frequency of a token among chunks (0 when unseen)."""
        import math

        df = self.document_frequency(token)
        n = len(self.chunk_ids)
        return math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else 0.0

    def document_frequency(self, token: str) -> int:
        tid = self.bm25.vocab_dict.get(token)
        if tid is None:
            return 0
        indptr = self.bm25.scores["indptr"]
        return int(indptr[tid + 1] - indptr[tid])
