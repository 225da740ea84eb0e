"""HybridRetriever: dense search in Chroma + BM25 over folded tokens, fused by reciprocal rank.

Dense search votes with the chunk vectors and, separately, with the chunks holding the sentences
nearest the question (small-to-big); BM25 votes with chunks, with the best chunk of the reports
that hold most of the question, and with its ranking within the top few of those reports.
Sentence vectors exist for the evidence step anyway, so a chunk's vector can be pooled from its
sentences' and ingest embeds each text once.

A LangChain `BaseRetriever`, so `retriever.invoke("…", k=3)` and every Runnable
composition work. Only reports whose ingest completed are returned.
"""
from __future__ import annotations

import re
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.retrieval.lexical import LexicalIndex
from rag.retrieval.store import ReportStore


class HybridRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: ReportStore
    lexical: LexicalIndex
    k: int = 4
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    fetch_k: int = 20
    rrf_k: int = 60
    # Lexical matching tells these look-alike reports apart better than dense search
    # (shared/README: BM25 hit@1 0.91 vs 0.82), so its ranks weigh a little more.
    dense_weight: float = 0.8
    lexical_weight: float = 1.0
    doc_ids: list[str] | None = None
    years: list[int] | None = None
    # Dense search votes twice, with half the weight each: chunks by their vectors (the topic) and
    # chunks by their nearest sentence (the detail). Off for an index whose chunks were embedded
    # themselves (BAOCAO_CHUNK_VECTORS=embedded), where chunk vectors alone were measured.
    sentence_vote: bool = True
    # A question naming a year asks about that year's report: years of one office's reports
    # repeat each other's sentences, so the same rankings, kept to that year's reports, vote
    # too. A vote, not a filter: a report may look back on an earlier year. The dense side
    # keeps that year's among its nearest instead of searching again: a year-filtered Chroma
    # search cost 11-15 ms at 10k chunks and moved no dev question's rank (seeds at 10k, 66).
    named_year_weight: float = 1.0
    # A question names several things its report states in different passages; a look-alike
    # passage of another report shares some of them. The reports holding most of the
    # question's rare words, anywhere in them, vote with their best BM25 chunk.
    report_weight: float = 1.0
    # Look-alike passages outnumber the report's own: a template sentence of other provinces'
    # reports ranks as high as its passage in every list, and RRF rewards being in many lists over
    # being first in one. So BM25 ranks again within the few reports holding most of the
    # question, where its passage has no look-alikes (report, then passage). Costs no search:
    # the BM25 scores are the ones already computed. 3 reports, weight 1: chosen on the dev
    # questions of both corpora (the seeds among 10k synthetic chunks, and vinewsqa).
    report_focus: int = 3
    report_focus_weight: float = 1.0
    # Of those, only the reports holding at least this share of what the first holds: a report
    # holding far more of the question (the one that names its person *and* its place) is the
    # only one in focus, and the look-alike passages of the runners-up get no second vote.
    # 0.75: the middle of the plateau (0.67-0.8) on the same dev questions, and at 50k chunks.
    report_focus_within: float = 0.75

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        doc_ids: list[str] | None = None,
        years: list[int] | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        k = k or self.k
        doc_ids = doc_ids if doc_ids is not None else self.doc_ids
        years = years if years is not None else self.years
        complete = self.lexical.doc_ids
        allowed_docs = complete if doc_ids is None else complete & set(doc_ids)
        if not allowed_docs:
            return []

        def allowed(meta: dict) -> bool:
            return meta["doc_id"] in allowed_docs and (not years or meta.get("year") in years)

        fetch = max(self.fetch_k, k)
        named = named_years(query) if not years and self.named_year_weight else []
        chunks, sentences = self._dense_searches(query, fetch, search_filter(doc_ids, years))
        # BM25 ranks while Chroma searches on the threads; then every vote is fused at once
        votes = self._lexical_votes(query, fetch, allowed, 1.0)
        if named:
            def in_named(meta: dict) -> bool:
                return allowed(meta) and meta.get("year") in named

            votes += self._lexical_votes(query, fetch, in_named, self.named_year_weight)
        if self.report_focus and self.mode != "dense":
            focused = self.lexical.search_top_reports(query, self.report_focus, fetch, allowed, self.report_focus_within)
            votes.append((focused, self.report_focus_weight, "lexical_score"))
        fused: dict[str, dict] = {}
        votes += self._dense_votes(fused, chunks, sentences, fetch, 1.0)
        if named:
            votes += self._dense_votes(fused, chunks, sentences, fetch, self.named_year_weight, in_named)
        self._add_ranked(fused, votes)
        out = []
        for chunk_id, entry in self._served(sorted(fused.items(), key=lambda e: (-e[1]["score"], e[0])), k):
            doc = entry["doc"]
            meta = dict(doc.metadata)
            meta["score"] = round(entry["score"], 6)
            meta["dense_score"] = entry.get("dense_score")
            meta["lexical_score"] = entry.get("lexical_score")
            out.append(Document(page_content=doc.page_content, metadata=meta, id=chunk_id))
        return out

    def _dense_searches(self, query: str, fetch: int, where: dict | None) -> tuple[Future | None, Future | None]:
        """The dense searches (chunks, and sentences when they vote), started at once on threads
        after the question is embedded: Chroma searches outside the GIL, so BM25 ranks meanwhile.
        None for a search the mode does not make."""
        if self.mode == "lexical":
            return None, None
        self.store.query_vector(query)
        sentences = fetch * SENTENCES_PER_CHUNK
        return (_POOL.submit(self.store.dense_search, query, fetch, where),
                _POOL.submit(self.store.dense_sentences, query, sentences, where) if self.sentence_vote else None)

    def _dense_votes(self, fused: dict[str, dict], chunks: Future | None, sentences: Future | None, fetch: int,
                     weight: float, keep=None) -> list[tuple[list[tuple[int, float]], float, str]]:
        """Adds the ranks of the chunk search (of its chunks that `keep(meta)` keeps) to `fused`
        (reciprocal rank fusion) and returns the sentence search as a ranking of chunks."""
        if chunks is None:
            return []
        share = weight * self.dense_weight / (2 if self.sentence_vote else 1)  # the dense side's, per vote
        hits = [(doc, sim) for doc, sim in chunks.result() if keep is None or keep(doc.metadata)]
        for rank, (doc, sim) in enumerate(hits):
            entry = fused.setdefault(doc.metadata["chunk_id"], {"doc": doc, "score": 0.0})
            entry["score"] += share / (self.rrf_k + rank + 1)
            entry["dense_score"] = max(sim, entry.get("dense_score") or -1.0)
        if sentences is None:
            return []
        ranked = [(i, sim) for i, sim in self._chunks_of(sentences.result()) if keep is None or keep(self.lexical.meta[i])]
        return [(ranked[:fetch], share, "dense_score")]

    def _lexical_votes(self, query: str, fetch: int, allowed, weight: float,
                       ) -> list[tuple[list[tuple[int, float]], float, str]]:
        """BM25's rankings of chunks (`allowed(meta)` ones): by the chunk, and by the reports holding
        most of the question."""
        if self.mode == "dense":
            return []
        votes = [(self.lexical.search(query, fetch, allowed), weight * self.lexical_weight, "lexical_score")]
        if self.report_weight:
            votes.append((self.lexical.search_reports(query, fetch, allowed), weight * self.report_weight, "lexical_score"))
        return votes

    def _add_ranked(self, fused: dict[str, dict], votes: list[tuple[list[tuple[int, float]], float, str]]) -> None:
        """Adds rankings of chunks ((position in the lexical index, score) best first, the vote's
        weight, which score it is) to `fused`. A chunk only BM25 found has no text yet: `_served`
        reads the texts of the few that are served."""
        ids = self.lexical.ids
        for ranked, weight, score_key in votes:
            for rank, (i, score) in enumerate(ranked):
                entry = fused.setdefault(ids[i], {"doc": None, "at": i, "score": 0.0})
                entry["score"] += weight / (self.rrf_k + rank + 1)
                entry[score_key] = max(score, entry.get(score_key) or float("-inf"))

    def _served(self, ranked: list[tuple[str, dict]], k: int) -> list[tuple[str, dict]]:
        """The first k (chunk id, entry) of `ranked` with their texts, read in one round trip. A
        chunk the store no longer has (removed or replaced by another process since the lexical
        index was read) is never served: the next one takes its place."""
        out: list[tuple[str, dict]] = []
        while ranked and len(out) < k:
            batch, ranked = ranked[: k - len(out)], ranked[k - len(out):]
            texts = self._texts([chunk_id for chunk_id, entry in batch if entry["doc"] is None])
            for chunk_id, entry in batch:
                if entry["doc"] is None and chunk_id in texts:
                    entry["doc"] = Document(page_content=texts[chunk_id], metadata=dict(self.lexical.meta[entry["at"]]))
                if entry["doc"] is not None:
                    out.append((chunk_id, entry))
        return out

    def _chunks_of(self, sentences: list[dict]) -> list[tuple[int, float]]:
        """(chunk's position in the lexical index, cosine of its nearest sentence), best first: the
        chunks holding these sentences (nearest the question first; small-to-big). A sentence in
        two chunks (their overlap) ranks both."""
        order: dict[int, float] = {}
        for hit in sentences:
            for i in self.lexical.covering(hit["doc_id"], hit["start"], hit["end"]):
                order.setdefault(i, hit["similarity"])
        return list(order.items())

    def _texts(self, chunk_ids: list[str]) -> dict[str, str]:
        if not chunk_ids:
            return {}
        got = self.store.vectors.get(ids=chunk_ids, include=["documents"])
        return dict(zip(got["ids"], got["documents"]))


# Shared by every retriever of the process (the chat's sessions too); each question waits on its own.
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dense-search")
SENTENCES_PER_CHUNK = 3  # sentences fetched per chunk wanted: several often share one chunk
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def named_years(query: str) -> list[int]:
    """The years a question names ("năm 2019", "2019-2020"), in order, once each."""
    return list(dict.fromkeys(int(y) for y in _YEAR.findall(query)))


def search_filter(doc_ids: list[str] | None, years: list[int] | None) -> dict | None:
    """Chroma's `where` for the reports and years asked for; None when nothing is asked: a filter
    listing every report costs more than the search itself (65 vs ~3 ms at 10k chunks). Chunks
    of a report without its record are dropped after retrieval (`chain.retrieval_step`)."""
    clauses = []
    if doc_ids is not None:
        clauses.append({"doc_id": {"$in": sorted(doc_ids)}})
    if years:
        clauses.append({"year": {"$in": list(years)}})
    return None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}
