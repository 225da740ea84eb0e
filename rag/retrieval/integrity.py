"""Is the index whole? What an interrupted ingest, a full disk or a hand-edited data folder can
leave behind, found by comparing the report records with what the collections hold.

A report's record is written last (`ReportStore.replace_reports`), so a report is searchable
only when whole; what an interruption leaves is chunks and sentences without a record, which
search never sees (it reads only reports with a record) and `baocao check --repair` or
`baocao ingest --prune` removes (`ReportStore.drop_orphans`). Orphans are not removed by every
ingest: on a shared server another client's ingest may be writing them.
"""
from __future__ import annotations

from rag.retrieval.store import ReportStore


def problems(store: ReportStore) -> dict[str, str]:
    """Report id -> what does not add up; empty when the index is whole."""
    reports = store.reports()
    chunks, sentences = store.passage_counts()
    found = {}
    for doc_id, meta in sorted(reports.items()):
        if chunks.get(doc_id, 0) != meta.get("chunks"):
            found[doc_id] = f"{chunks.get(doc_id, 0)} chunks stored, its record says {meta.get('chunks')}"
        elif not sentences.get(doc_id):
            found[doc_id] = "no sentence vectors"
    for doc_id in sorted((set(chunks) | set(sentences)) - set(reports)):
        found[doc_id] = "passages without a report record (an interrupted ingest)"
    return found


def repair(store: ReportStore) -> list[str]:
    """Remove every report that is not whole, and passages without a report, so that the next
    `baocao ingest` redoes them from their files; returns their ids."""
    broken = list(problems(store))
    for doc_id in broken:
        store.delete_report(doc_id)
    return broken
