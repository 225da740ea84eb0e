"""Sentence-level search: the sentences most likely to answer, lexical and dense.

Chunk retrieval can rank the chunk that holds a short answering sentence below
longer look-alike chunks; searching sentences directly finds it. The answerer
considers these beside the sentences of the retrieved chunks.
"""
from __future__ import annotations

from dataclasses import dataclass

from rag.retrieval.hybrid import named_years, search_filter
from rag.retrieval.lexical import LexicalIndex
from rag.retrieval.store import ReportStore


@dataclass(frozen=True)
class SentenceHit:
    doc_id: str
    start: int
    end: int


@dataclass
class SentenceSearch:
    store: ReportStore
    lexical: LexicalIndex  # over sentences
    k: int = 5

    def run(self, question: str, doc_ids: list[str] | None = None, years: list[int] | None = None) -> list[SentenceHit]:
        allowed_docs = self.lexical.doc_ids if doc_ids is None else self.lexical.doc_ids & set(doc_ids)
        if not allowed_docs:
            return []

        def allowed(meta: dict) -> bool:
            return meta["doc_id"] in allowed_docs and (not years or meta.get("year") in years)

        hits = [self.lexical.meta[i] for i, _ in self.lexical.search(question, self.k, allowed)]
        hits += self.store.dense_sentences(question, self.k, search_filter(doc_ids, years))
        named = named_years(question)
        # that year's reports are searched too; HybridRetriever keeps that year's from its dense
        # search instead, but five nearest sentences are too few to keep from
        if not years and named:
            hits += [self.lexical.meta[i] for i, _ in
                     self.lexical.search(question, self.k, lambda meta: allowed(meta) and meta.get("year") in named)]
            hits += self.store.dense_sentences(question, self.k, search_filter(doc_ids, named))
        unique = dict.fromkeys(SentenceHit(m["doc_id"], m["start"], m["end"]) for m in hits)
        return list(unique)
