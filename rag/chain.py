"""The question -> cited answer chain, as LangChain Runnables:

    validate -> retrieve (HybridRetriever + sentence search) + report texts
             -> evidence step (one typed bundle) -> answerer -> timed Answer

Any Runnable that maps an `Evidence` bundle to an `Answer` stands in for the extractive
answerer: `answerer = "llm"` puts a verified generator there (`rag.answer.generated`).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from time import perf_counter

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from rag.answer.citations import Answer
from rag.answer.evidence import EvidenceStep
from rag.answer.extractive import ExtractiveAnswerer
from rag.ingest.blocks import layout_of
from rag.retrieval.corpus_stats import CorpusStats
from rag.retrieval.lexical import LexicalIndex, index_fingerprint
from rag.retrieval.hybrid import HybridRetriever
from rag.retrieval.sentence_search import SentenceSearch
from rag.settings import Settings
from rag.retrieval.store import ReportStore, StoreUnavailableError
from rag.text.normalize import typed_text

MAX_QUESTION_CHARS = 2000


class QuestionError(ValueError):
    """A question that cannot be asked: `str()` says why in English (the CLI, the API), `vi` in
    Vietnamese (the chat)."""

    def __init__(self, message: str, vi: str):
        super().__init__(message)
        self.vi = vi


def validate(question: str) -> str:
    """The question as typed, less invisible characters; `QuestionError` when nothing is asked."""
    question = typed_text(question or "")
    if not question:
        raise QuestionError("empty question: ask something, e.g. baocao ask \"Hội nghị diễn ra ở đâu?\"",
                            "Hãy nhập câu hỏi.")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"question too long ({len(question)} characters; the limit is {MAX_QUESTION_CHARS})",
                            f"Câu hỏi quá dài ({len(question):,} ký tự; tối đa {MAX_QUESTION_CHARS:,}).".replace(",", "."))
    if not any(ch.isalnum() for ch in question):
        raise QuestionError("the question has no words, only punctuation or symbols",
                            "Câu hỏi chưa có chữ nào, chỉ có dấu câu hoặc ký hiệu.")
    return question


def retrieval_step(retriever: HybridRetriever, store: ReportStore, sentence_search: SentenceSearch | None = None) -> Runnable:
    """Input: a question string or {"question", optional "k", "doc_ids", "years"}. Output: the payload
    {"question", "documents", "sentences", "reports", ...} the evidence step reads."""

    def retrieve(payload) -> dict:
        payload = {"question": payload} if isinstance(payload, str) else dict(payload)
        payload["question"] = validate(payload["question"])
        started = perf_counter()
        options = {key: payload[key] for key in ("k", "doc_ids", "years") if payload.get(key)}
        documents = retriever.invoke(payload["question"], **options)
        sentences = (
            sentence_search.run(payload["question"], payload.get("doc_ids"), payload.get("years"))
            if sentence_search else []
        )
        doc_ids = list(dict.fromkeys([d.metadata["doc_id"] for d in documents] + [s.doc_id for s in sentences]))
        reports = store.reports_by_id(doc_ids)
        # a report without its record is being replaced or removed (by another process on a shared
        # server): none of it is served until its record is written
        documents = [d for d in documents if d.metadata["doc_id"] in reports]
        sentences = [s for s in sentences if s.doc_id in reports]
        retrieved = perf_counter()
        return {
            **payload, "documents": documents, "sentences": sentences, "reports": reports, "_t": (started, retrieved)
        }

    return RunnableLambda(retrieve)


def build_chain(
    retriever: HybridRetriever,
    store: ReportStore,
    evidence: Runnable,
    answerer: Runnable,
    sentence_search: SentenceSearch | None = None,
) -> Runnable:
    """Input: a question string or {"question", optional "k", "doc_ids", "years"}. Output: Answer."""

    return (
        retrieval_step(retriever, store, sentence_search)
        | RunnablePassthrough.assign(evidence=evidence)
        | RunnablePassthrough.assign(answer=itemgetter("evidence") | answerer)
        | RunnableLambda(lambda payload: finish(payload, payload["answer"]))
    )


def finish(payload: dict, answer: Answer) -> Answer:
    """The answer with what was retrieved and how long each stage took."""
    started, retrieved = payload["_t"]
    done = perf_counter()
    answer.retrieved = [
        {"doc_id": d.metadata["doc_id"], "chunk_id": d.metadata["chunk_id"], "score": d.metadata["score"],
         "start": d.metadata["start"], "end": d.metadata["end"]}
        for d in payload["documents"]
    ]
    layouts = {d: layout_of(payload["reports"].get(d)) for d in {c.doc_id for c in answer.citations}}
    answer.citations = [located(c, layouts[c.doc_id]) for c in answer.citations]
    answer.timings_ms = {
        "retrieve": round((retrieved - started) * 1000, 2),
        "answer": round((done - retrieved) * 1000, 2),
        "total": round((done - started) * 1000, 2),
    }
    return answer


def located(citation, layout) -> "Citation":
    """The citation with the section, page and OCR flag of where its quote starts in the report."""
    from dataclasses import replace

    unit = layout.at(citation.start)
    return replace(citation, section=unit.section, page=unit.page, ocr=unit.ocr) if unit else citation


@contextmanager
def reaching(settings: Settings) -> Iterator[None]:
    """A Chroma server gone mid-session is a `StoreUnavailableError` naming it, not a transport
    traceback; the client reconnects by itself once the server is back."""
    try:
        yield
    except Exception as exc:
        import httpx

        if settings.chroma_url and isinstance(exc, (httpx.TransportError, ConnectionError)):
            raise StoreUnavailableError(f"Chroma server not reachable at {settings.chroma_url} ({type(exc).__name__}); "
                                        "ask again once it is back") from exc
        raise


@dataclass
class Pipeline:
    settings: Settings
    store: ReportStore
    lexical: LexicalIndex
    retriever: HybridRetriever
    evidence: Runnable
    answerer: Runnable
    sentence_search: SentenceSearch | None
    chain: Runnable
    generation: str | None = None  # the store's, when the lexical side was read

    def refreshed(self) -> "Pipeline":
        """This pipeline, or one reopened on the same store and answerer when another process
        has changed the index since (a teammate's ingest on a shared server): the lexical side
        then lists the reports the dense side holds."""
        with reaching(self.settings):
            if self.store.generation() == self.generation:
                return self
            return open_pipeline(self.settings, self.store, self.answerer).with_mode(self.retriever.mode)

    def ask(self, question: str, **options) -> Answer:
        with reaching(self.settings):
            return self.chain.invoke({"question": question, **options})

    def stream(self, question: str, **options) -> Iterator[str | Answer]:
        """The answer as it is written (str pieces, from a generator), then the final `Answer`
        (verified, with retrieval and timings). The extractive answerer yields the Answer alone."""
        with reaching(self.settings):
            payload = retrieval_step(self.retriever, self.store, self.sentence_search).invoke({"question": question, **options})
            evidence = self.evidence.invoke(payload)
        events = getattr(self.answerer, "events", None)
        for event in events(evidence) if events else [self.answerer.invoke(evidence)]:
            yield finish(payload, event) if isinstance(event, Answer) else event

    def resolve(self, question: str, history: list) -> str:
        """A follow-up made standalone: by the model when the answerer has one, else by rule."""
        from rag.answer.followup import LLMFollowupRewriter, rewrite_followup

        chat = getattr(self.answerer, "chat", None)
        return LLMFollowupRewriter(chat)(question, history) if chat is not None else rewrite_followup(question, history)

    def evidence_for(self, question: str, **options):
        """The evidence bundle an answerer would get for this question (for fitting and debugging)."""
        payload = retrieval_step(self.retriever, self.store, self.sentence_search).invoke({"question": question, **options})
        return self.evidence.invoke(payload), payload

    def with_mode(self, mode: str) -> "Pipeline":
        """The same index and answerer with another retrieval mode (nothing reopened)."""
        if mode == self.retriever.mode:
            return self
        retriever = self.retriever.model_copy(update={"mode": mode})
        search = self.sentence_search if mode == "hybrid" else None
        chain = build_chain(retriever, self.store, self.evidence, self.answerer, search)
        return Pipeline(self.settings, self.store, self.lexical, retriever, self.evidence, self.answerer, search, chain,
                        self.generation)


def make_answerer(settings: Settings, progress: bool = True) -> Runnable:
    """The extractive answerer, or (`answerer = "llm"`) a generator gated and verified by it."""
    if settings.answerer == "extractive":
        return ExtractiveAnswerer()
    from rag.answer.generated import GeneratedAnswerer
    from rag.generators import chat_model

    chat, name = chat_model(settings, progress=progress)
    return GeneratedAnswerer(chat=chat, generator=name)


def open_pipeline(settings: Settings, store: ReportStore | None = None, answerer: Runnable | None = None) -> Pipeline:
    """Open an existing index (raises NoIndexError / IndexMismatchError / StoreUnavailableError);
    `store` reuses one already open (e.g. the one an ingest just wrote to), `answerer` one loaded."""
    store = store or ReportStore.open(settings)
    generation = store.generation()  # before reading: a change during the read is seen next time
    fingerprint = index_fingerprint(store, generation)
    lexical = LexicalIndex.for_store(store, settings.lexical_dir, "chunks", fingerprint)
    sentences = LexicalIndex.for_store(store, settings.lexical_dir, "sentences", fingerprint)
    retriever = HybridRetriever(store=store, lexical=lexical, k=settings.k, mode="hybrid", fetch_k=settings.fetch_k,
                                sentence_vote=settings.chunk_vectors == "pooled")
    corpus = CorpusStats.for_store(store, settings.lexical_dir, fingerprint)
    # Sentence-level idf: a term in few sentences tells the answering sentence apart.
    evidence = EvidenceStep(idf=sentences.idf, similarity=store.sentence_similarity, corpus=corpus)
    answerer = answerer or make_answerer(settings)
    search = SentenceSearch(store, sentences)
    chain = build_chain(retriever, store, evidence, answerer, search)
    return Pipeline(settings, store, lexical, retriever, evidence, answerer, search, chain,
                    generation).with_mode(settings.mode)
