"""Incremental, atomic ingest: files -> cleaned text -> chunks -> store (+ lexical index).

A report is re-embedded only when its cleaned text (or the chunking) changed; its
record in the store is written last (see `ReportStore.replace_reports`).
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rag.ingest.blocks import lay_out
from rag.ingest.chunk import SentenceChunker
from rag.ingest.clean import clean_blocks
from rag.ingest.convert import SUPPORTED, ConversionError, convert
from rag.ingest.metadata import extract_metadata
from rag.retrieval.corpus_stats import CorpusStats
from rag.retrieval.lexical import LexicalIndex, index_fingerprint
from rag.retrieval.store import IndexWriteError, Report, ReportStore, UnknownReportError
from rag.text.sentences import split_spans

PIPELINE_VERSION = "9"  # bump when cleaning, chunking or metadata changes, so reports are redone


@dataclass
class IngestResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    chunks: int = 0
    files: list[dict] = field(default_factory=list)  # per file read: what was in it (`file_report`)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def find_files(paths: list[str | Path], result: IngestResult) -> list[Path]:
    """The report files named or inside the folders named. A link inside a folder that leads out
    of it is skipped: indexing a folder reads that folder only."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            root = path.resolve()
            for p in sorted(path.rglob("*")):
                if not p.is_file() or p.suffix.lower() not in SUPPORTED or p.name.startswith("."):
                    continue
                if not p.resolve().is_relative_to(root):
                    result.skipped.append((str(p), f"a link to {p.resolve()}, outside {path}"))
                    continue
                files.append(p)
        elif path.is_file():
            files.append(path)
        else:
            result.skipped.append((str(path), "no such file or folder"))
    return files


def prepare(path: Path, chunker: SentenceChunker, max_bytes: int | None = None, progress: bool = False,
            stamp: str | None = None) -> tuple[Report, list[dict], list[tuple[int, int]]]:
    """`stamp`: the file's `file_stamp`, when the caller has it already."""
    raw = convert(path, max_bytes, progress=progress)
    blocks = clean_blocks(raw.blocks)
    text, layout = lay_out(blocks)
    if not text.strip():
        raise ConversionError("nothing left after cleaning")
    meta = extract_metadata(text, raw.title_hint)
    layout_json = layout.dumps()
    digest = hashlib.sha256(f"{PIPELINE_VERSION}:{chunker._chunk_size}:{text}:{layout_json}".encode()).hexdigest()
    chunks = []
    for c in chunker.chunks(raw.doc_id, text):
        unit = layout.at(c.start)
        chunks.append({
            "chunk_id": c.chunk_id, "doc_id": c.doc_id, "index": c.index, "start": c.start, "end": c.end,
            "title": meta.title, "year": meta.year, "date": meta.date, "text": c.text,
            "section": unit.section if unit else "", "page": unit.page if unit else 0,
        })
    record = {
        **meta.as_dict(), "path": str(path), "sha256": digest, "chunks": len(chunks), "chars": len(text),
        "chunk_starts": ",".join(str(c["start"]) for c in chunks), "layout": layout_json,
        "pages": raw.pages, "ocr_pages": ",".join(map(str, raw.ocr_pages)), "tables": raw.tables,
        "blocks": len(blocks), "warnings": "\n".join(raw.warnings), "file_sha256": file_stamp(path, chunker) if stamp is None else stamp,
    }
    sentences = [(s.start, s.end) for s in split_spans(text)]
    return Report(raw.doc_id, text, record), chunks, sentences


def file_stamp(path: Path, chunker: SentenceChunker) -> str:
    """The file's bytes and the way they are read, hashed: equal stamps give equal reports."""
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return hashlib.sha256(f"{PIPELINE_VERSION}:{chunker._chunk_size}:".encode() + data).hexdigest()


def file_report(report: Report) -> dict:
    """What one file held, for `baocao ingest` and the chat's upload status."""
    m = report.meta
    return {"doc_id": report.doc_id, "path": m.get("path", ""), "pages": m.get("pages", 0),
            "ocr_pages": [int(p) for p in str(m.get("ocr_pages", "")).split(",") if p],
            "tables": m.get("tables", 0), "blocks": m.get("blocks", 0), "chunks": m.get("chunks", 0),
            "warnings": [w for w in str(m.get("warnings", "")).split("\n") if w]}


def ingest(
    paths: list[str | Path],
    store: ReportStore,
    lexical_dir: Path,
    chunker: SentenceChunker | None = None,
    prune: bool = False,
    progress: bool = True,
    max_bytes: int | None = None,
) -> IngestResult:
    from tqdm import tqdm

    chunker = chunker or SentenceChunker()
    result = IngestResult()
    known = store.reports()
    todo: list[tuple[Report, list[dict], list[tuple[int, int]]]] = []
    seen: dict[str, Path] = {}
    for path in find_files(paths, result):
        doc_id = path.stem
        if doc_id in seen:
            result.skipped.append((str(path), f"same report id as {seen[doc_id]}"))
            continue
        stamp = file_stamp(path, chunker)
        if stamp and known.get(doc_id, {}).get("file_sha256") == stamp:
            seen[doc_id] = path  # the same bytes read the same way: not read again (OCR takes seconds a page)
            result.unchanged.append(doc_id)
            result.files.append(file_report(Report(doc_id, "", known[doc_id])))
            continue
        try:
            report, chunks, sentences = prepare(path, chunker, max_bytes, progress, stamp)
        except ConversionError as exc:
            result.skipped.append((str(path), str(exc)))
            continue
        except MemoryError:
            result.skipped.append((str(path), "too large to read in the memory this machine has"))
            continue
        seen[doc_id] = path
        result.files.append(file_report(report))
        if known.get(doc_id, {}).get("sha256") == report.meta["sha256"]:
            result.unchanged.append(doc_id)
        else:
            todo.append((report, chunks, sentences))

    total = sum(len(chunks) + len(sentences) for _, chunks, sentences in todo)
    with writing(), tqdm(total=total, desc="Embedding", unit="text", disable=not progress or not total) as bar:
        for group in write_groups(todo):
            bar.set_postfix_str(group[-1][0].doc_id)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
            store.replace_reports([(Report(r.doc_id, r.text, {**r.meta, "ingested_at": stamp}), chunks, sentences)
                                   for r, chunks, sentences in group], on_batch=bar.update)
            for report, chunks, _ in group:
                (result.updated if report.doc_id in known else result.added).append(report.doc_id)
                result.chunks += len(chunks)

        if prune:  # the index as the folders are: also what an interrupted ingest of a file gone since left
            for doc_id in sorted(set(known) - set(seen)):
                store.delete_report(doc_id)
                result.removed.append(doc_id)
            store.drop_orphans()
        refresh_lexical(store, lexical_dir)
    return result


def write_groups(todo: list, texts: int = 512) -> Iterator[list]:
    """Consecutive reports, about `texts` chunks and sentences a group: written together (see
    `ReportStore.replace_reports`), a large report alone."""
    group, size = [], 0
    for item in todo:
        group.append(item)
        size += len(item[1]) + len(item[2])
        if size >= texts:
            yield group
            group, size = [], 0
    if group:
        yield group


@contextmanager
def writing() -> Iterator[None]:
    """A write that fails (a full disk, a size limit, the database refusing) is an
    `IndexWriteError` that says what to do; each report's record is written last, so the
    reports indexed before stay whole and searchable."""
    import chromadb.errors

    try:
        yield
    except (OSError, chromadb.errors.ChromaError) as exc:
        raise IndexWriteError(f"could not write the index ({exc}); is the disk full? The reports indexed before "
                              "are untouched: free some space and run `baocao ingest` again") from exc


def remove(doc_ids: list[str], store: ReportStore, lexical_dir: Path) -> list[str]:
    """Forget reports: their record, chunks and sentences in the store, then the BM25 indexes and
    corpus statistics rebuilt without them. An unknown id raises before anything is deleted."""
    known = store.reports()
    unknown = [d for d in doc_ids if d not in known]
    if unknown:
        raise UnknownReportError(f"unknown report id(s) {', '.join(unknown)}; indexed reports: "
                                 f"{', '.join(sorted(known)) or 'none'}")
    for doc_id in dict.fromkeys(doc_ids):
        store.delete_report(doc_id)
    refresh_lexical(store, lexical_dir)
    return list(dict.fromkeys(doc_ids))


def refresh_lexical(store: ReportStore, lexical_dir: Path) -> None:
    """The lexical indexes and corpus statistics of what the store now holds."""
    fingerprint = index_fingerprint(store)
    for unit in ("chunks", "sentences"):
        LexicalIndex.for_store(store, lexical_dir, unit, fingerprint)
    CorpusStats.for_store(store, lexical_dir, fingerprint)
