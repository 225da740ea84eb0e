"""Chroma, embedded or server, holding two collections per index:

- `<name>`: the chunks, with their embeddings (through `langchain-chroma`), cosine space;
  its metadata records which embedding model built it.
- `<name>-sentences`: an embedding per sentence of every report, so the answerer can
  tell which sentence of a chunk answers a paraphrased or English question;
- `<name>-reports`: one record per report, holding its cleaned text and metadata. It is
  written last when a report is (re)indexed, so it doubles as the ingest manifest: a
  report without a record is incomplete and is never searched.
"""
from __future__ import annotations

import hashlib
import itertools
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from rag.embedders import embedder_id
from rag.settings import Settings

SCHEMA = 1
# Chroma replays a collection's write-ahead log since its vector index was last saved on the first
# read in each process. Saved every 1,000 writes (its default), a cold `baocao ask` at 10k chunks
# replayed up to ~900 writes per collection: 270 ms for the records (whole report texts), 100-150
# for chunks and sentences. Saved every 100, those first reads took 7, 40 and 55 ms, and the 10k
# ingest was no slower (339 s against 349). Applies to collections created since.
SAVE_EVERY = 100
BATCH = 256  # texts per embedding call and per write (sorted by length within, by the engine)
PAGE = 5000  # items per read of a whole collection


class StoreError(RuntimeError):
    """Base for errors a user can act on; the message says what to do."""


class NoIndexError(StoreError):
    pass


class IndexMismatchError(StoreError):
    pass


class StoreUnavailableError(StoreError):
    pass


class IndexDamagedError(StoreError):
    pass


class IndexWriteError(StoreError):
    pass


class UnknownReportError(StoreError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


@dataclass(frozen=True)
class Report:
    doc_id: str
    text: str
    meta: dict

    def chunk_id_at(self, offset: int) -> str:
        """The id of the last chunk starting at or before `offset` (meta "chunk_starts")."""
        import bisect

        starts = [int(s) for s in str(self.meta.get("chunk_starts", "")).split(",") if s]
        index = max(0, bisect.bisect_right(starts, offset) - 1)
        return f"{self.doc_id}:{index:03d}"


def sentence_id(doc_id: str, start: int) -> str:
    return f"{doc_id}@{start}"


def make_client(settings: Settings, create: bool = False):
    import chromadb

    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    if not settings.chroma_url:
        if not create and not settings.chroma_dir.is_dir():
            raise NoIndexError(f"no index yet in {settings.home}: run `baocao ingest` first")
        if any(settings.chroma_dir.glob("*/")) and not (settings.chroma_dir / "chroma.sqlite3").is_file():
            raise IndexDamagedError(f"the index in {settings.chroma_dir} is damaged (its database file is gone); "
                                    f"move {settings.home} away (or delete it) and run `baocao ingest` on your reports again")
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    url = urlparse(settings.chroma_url if "://" in settings.chroma_url else f"http://{settings.chroma_url}")
    try:
        client = chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
        client.heartbeat()
    except Exception as exc:
        raise StoreUnavailableError(f"Chroma server not reachable at {settings.chroma_url} ({type(exc).__name__})") from exc
    return client


class ReportStore:
    def __init__(self, settings: Settings, embeddings: Embeddings, *, create: bool = False, client=None) -> None:
        import chromadb.errors

        try:
            self._open(settings, embeddings, create, client)
        except chromadb.errors.ChromaError as exc:
            if settings.chroma_url:
                raise
            # a damaged or half-deleted data folder: say where, and how to rebuild it
            raise IndexDamagedError(
                f"the index in {settings.chroma_dir} is damaged ({exc}); move {settings.home} away "
                "(or delete it) and run `baocao ingest` on your reports again") from exc

    def _open(self, settings: Settings, embeddings: Embeddings, create: bool, client) -> None:
        from langchain_chroma import Chroma

        self.settings = settings
        self.embeddings = embeddings
        self.embedder = embedder_id(embeddings)
        self.client = client or make_client(settings, create)
        name = settings.collection
        existing = {c.name if hasattr(c, "name") else c for c in self.client.list_collections()}
        if name not in existing:
            if not create:
                raise NoIndexError("no index yet: run `baocao ingest` first")
            self.client.create_collection(
                name,
                configuration={"hnsw": {"space": "cosine", "sync_threshold": SAVE_EVERY}},
                metadata={"embedder": self.embedder, "model_file": getattr(embeddings, "model_file", "") or "",
                          "schema": SCHEMA},
                embedding_function=None,
            )
        self.chunk_collection = self.client.get_collection(name, embedding_function=None)
        self.index_info = dict(self.chunk_collection.metadata or {})
        built_with = self.index_info.get("embedder")
        if built_with != self.embedder:
            raise IndexMismatchError(
                f"index '{name}' was built with {built_with}, but the embedder now is {self.embedder}; "
                f"use the same embedder, or re-index into another collection (BAOCAO_COLLECTION) or data folder"
            )
        self.vectors = Chroma(
            collection_name=name,
            embedding_function=embeddings,
            client=self.client,
            create_collection_if_not_exists=False,
        )
        self.records = self.client.get_or_create_collection(
            f"{name}-reports", configuration={"hnsw": {"sync_threshold": SAVE_EVERY}}, embedding_function=None
        )
        self.sentences = self.client.get_or_create_collection(
            f"{name}-sentences", configuration={"hnsw": {"space": "cosine", "sync_threshold": SAVE_EVERY}}, embedding_function=None
        )
        self._query_vectors: dict[str, list[float]] = {}

    @classmethod
    def open(cls, settings: Settings, create: bool = False) -> "ReportStore":
        """The store for these settings, with the embedder they choose."""
        from rag.embedders import make_embeddings

        return cls(settings, make_embeddings(settings), create=create)

    # --- reports (the manifest) ---
    def reports(self) -> dict[str, dict]:
        got = read_all(self.records, ["metadatas"])
        return {i: dict(m or {}) for i, m in zip(got["ids"], got["metadatas"])}

    def report(self, doc_id: str) -> Report:
        found = self.reports_by_id([doc_id])
        if doc_id not in found:
            known = ", ".join(sorted(self.reports())) or "none"
            raise UnknownReportError(f"unknown report id {doc_id!r}; indexed reports: {known}")
        return found[doc_id]

    def reports_by_id(self, doc_ids: list[str]) -> dict[str, Report]:
        """Cleaned text and metadata of these reports, in one round trip (unknown ids are left out)."""
        if not doc_ids:
            return {}
        got = self.records.get(ids=list(doc_ids), include=["documents", "metadatas"])
        return {i: Report(i, t, dict(m or {})) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])}

    def fingerprint(self) -> str:
        """Changes whenever a report is added, replaced or removed."""
        items = sorted((d, m.get("sha256", ""), m.get("chunks", 0)) for d, m in self.reports().items())
        return hashlib.sha256(repr((self.embedder, items)).encode()).hexdigest()[:16]

    # --- writing ---
    def replace_report(self, report: Report, chunks: list[dict], sentences: list[tuple[int, int]] = (),
                       on_batch: Callable[[int], None] | None = None) -> None:
        self.replace_reports([(report, chunks, list(sentences))], on_batch)

    def replace_reports(self, items: list[tuple[Report, list[dict], list[tuple[int, int]]]],
                        on_batch: Callable[[int], None] | None = None) -> None:
        """Delete each report's old parts, add the new ones, write the records last, for several
        reports in one round of writes: a bulk ingest makes a few large writes instead of many small
        ones (a write costs 40-120 ms at 10k chunks whatever its size).

        Interrupted anywhere, none of these reports has a record: the next ingest redoes them, and
        search never sees their partial chunks.
        """
        for report, _, _ in items:
            self.delete_report(report.doc_id)  # (stamps a new generation first: see `_changed`)
        rows = [(report, a, b) for report, _, sentences in items for a, b in sentences]
        vectors: dict[tuple[str, int, int], list[float]] = {}
        for i in range(0, len(rows), BATCH):
            batch = rows[i : i + BATCH]
            texts = [report.text[a:b] for report, a, b in batch]
            embedded = self.embeddings.embed_documents(texts)
            vectors.update(zip([(report.doc_id, a, b) for report, a, b in batch], embedded))
            self.sentences.add(
                ids=[sentence_id(report.doc_id, a) for report, a, _ in batch],
                embeddings=embedded,
                documents=texts,
                metadatas=[{"doc_id": r.doc_id, "start": a, "end": b, "year": r.meta.get("year", 0)} for r, a, b in batch],
            )
            if on_batch:
                on_batch(len(batch))
        chunks = [c for _, report_chunks, _ in items for c in report_chunks]
        for i in range(0, len(chunks), BATCH):
            batch = chunks[i : i + BATCH]
            self.chunk_collection.add(
                ids=[c["chunk_id"] for c in batch],
                embeddings=self._chunk_vectors(batch, vectors),
                documents=[c["text"] for c in batch],
                metadatas=[{k: v for k, v in c.items() if k != "text"} for c in batch],
            )
            if on_batch:
                on_batch(len(batch))
        self.records.upsert(
            ids=[r.doc_id for r, _, _ in items], embeddings=[[1.0]] * len(items),
            documents=[r.text for r, _, _ in items], metadatas=[r.meta for r, _, _ in items],
        )
        self._changed()

    def _chunk_vectors(self, chunks: list[dict], sentences: dict[tuple[str, int, int], list[float]]) -> list[list[float]]:
        """A chunk's vector: with `chunk_vectors = "pooled"` (the default), the mean of its sentences'
        vectors, weighted by their length and normalized (each text embedded once: ingest embeds
        less than half as much; search ranks chunks by their sentences, see `HybridRetriever`); a
        chunk its sentences do not cover (a cut sentence) is embedded itself."""
        import numpy as np

        if self.settings.chunk_vectors != "pooled":
            return self.embeddings.embed_documents([c["text"] for c in chunks])
        by_report: dict[str, list[tuple[int, int, list[float]]]] = {}
        for (d, a, b), v in sentences.items():
            by_report.setdefault(d, []).append((a, b, v))
        pooled: list[np.ndarray | None] = []
        for c in chunks:
            inside = [(b - a, v) for a, b, v in by_report.get(c["doc_id"], ()) if c["start"] <= a and b <= c["end"]]
            covered = sum(n for n, _ in inside)
            if covered < 0.9 * (c["end"] - c["start"] - len(inside)):
                pooled.append(None)
                continue
            mean = np.average(np.asarray([v for _, v in inside], dtype=np.float32), axis=0, weights=[n for n, _ in inside])
            pooled.append(mean / (np.linalg.norm(mean) or 1.0))
        todo = [c["text"] for c, v in zip(chunks, pooled) if v is None]
        embedded = iter(self.embeddings.embed_documents(todo) if todo else [])
        return [next(embedded) if v is None else v.tolist() for v in pooled]

    def delete_report(self, doc_id: str) -> None:
        """Its record, chunks and sentences. Each is looked up first and deleted by id: a delete by
        `where` costs 40-110 ms at 10k chunks even when nothing matches (a lookup ~3 ms), and
        most reports of a bulk ingest are new."""
        self._changed()
        if self.records.get(ids=[doc_id], include=[])["ids"]:
            self.records.delete(ids=[doc_id])
        for collection in (self.chunk_collection, self.sentences):
            ids = collection.get(where={"doc_id": doc_id}, include=[])["ids"]
            if ids:
                collection.delete(ids=ids)
        self._changed()

    def _changed(self) -> None:
        # A fresh random token, not a counter: two writers never read-modify-write it. Stamped
        # before a write and after it, so a writer killed halfway still leaves a generation no
        # saved lexical index carries: the next reader rebuilds rather than trusting a stale one.
        self.records.modify(metadata={"generation": uuid.uuid4().hex})

    def generation(self) -> str | None:
        """Changes whenever any process adds, replaces or removes a report: one cheap round trip,
        so a long-lived reader (the chat) notices a teammate's ingest on a shared server, and
        the key the lexical indexes are saved under. None for an index never written since."""
        return (self.client.get_collection(self.records.name).metadata or {}).get("generation")

    def passage_counts(self) -> tuple[Counter[str], Counter[str]]:
        """(chunks, sentences) held per report id, records or not: one pass over each collection."""
        return tuple(Counter(m["doc_id"] for m in c.get(include=["metadatas"])["metadatas"])
                     for c in (self.chunk_collection, self.sentences))

    def drop_orphans(self) -> list[str]:
        """Remove chunks and sentences whose report has no record (left by an interrupted ingest
        of a file that is gone since); returns their report ids."""
        chunks, sentences = self.passage_counts()
        orphans = sorted((set(chunks) | set(sentences)) - set(self.reports()))
        for doc_id in orphans:
            self.delete_report(doc_id)
        return orphans

    # --- reading ---
    def chunks(self, doc_ids: Iterable[str]) -> list[Document]:
        return _documents(self.chunk_collection, doc_ids)

    def sentence_docs(self, doc_ids: Iterable[str]) -> list[Document]:
        return _documents(self.sentences, doc_ids)

    def query_vector(self, query: str) -> list[float]:
        """Embedded once per question, shared by chunk search and sentence scoring."""
        if query not in self._query_vectors:
            if len(self._query_vectors) > 256:
                self._query_vectors.clear()
            self._query_vectors[query] = self.embeddings.embed_query(query)
        return self._query_vectors[query]

    def dense_search(self, query: str, k: int, where: dict | None = None) -> list[tuple[Document, float]]:
        """(chunk, cosine similarity), best first."""
        hits = self.vectors.similarity_search_by_vector_with_relevance_scores(
            self.query_vector(query), k=k, filter=where
        )
        return [(doc, 1.0 - distance) for doc, distance in hits]

    def dense_sentences(self, query: str, k: int, where: dict | None = None) -> list[dict]:
        """Metadata (doc_id, start, end) and cosine `similarity` of the k sentences nearest the
        question, nearest first."""
        got = self.sentences.query(query_embeddings=[self.query_vector(query)], n_results=k, where=where,
                                   include=["metadatas", "distances"])
        return [{**m, "similarity": 1.0 - d} for m, d in zip((got["metadatas"] or [[]])[0], (got["distances"] or [[]])[0])]

    def sentence_similarity(self, query: str, spans: list[tuple[str, int]]) -> dict[tuple[str, int], float]:
        """Cosine between the question and each (doc_id, start) sentence that has a vector."""
        import numpy as np

        if not spans:
            return {}
        got = self.sentences.get(ids=[sentence_id(d, s) for d, s in spans], include=["embeddings", "metadatas"])
        if not len(got["ids"]):
            return {}
        sims = np.asarray(got["embeddings"], dtype=np.float32) @ np.asarray(self.query_vector(query), dtype=np.float32)
        return {(m["doc_id"], m["start"]): float(v) for m, v in zip(got["metadatas"], sims)}


def _documents(collection, doc_ids: Iterable[str], most_listed: int = 500) -> list[Document]:
    """Every item of these reports in a collection, as Documents with their ids. Many reports
    (the lexical index of every complete report) are read whole and filtered here, a page at a
    time: a `$in` of thousands of ids, or one read of 50k items, overflows SQLite's variables
    ("too many SQL variables")."""
    wanted = set(doc_ids)
    if not wanted:
        return []
    where = {"doc_id": {"$in": sorted(wanted)}} if len(wanted) <= most_listed else None
    got = read_all(collection, ["documents", "metadatas"], where)
    return [Document(page_content=t, metadata=dict(m), id=i)
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"]) if m["doc_id"] in wanted]


def read_all(collection, include: list[str], where: dict | None = None) -> dict[str, list]:
    """`collection.get(...)` a page at a time: Chroma reads a page's items by id, and one read of
    50k items overflows SQLite's variables."""
    out: dict[str, list] = {key: [] for key in ["ids", *include]}
    for offset in itertools.count(0, PAGE):
        got = collection.get(where=where, include=include, limit=PAGE, offset=offset)
        for key in out:
            out[key] += list(got[key])
        if len(got["ids"]) < PAGE:
            return out
