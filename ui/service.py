"""What the chat page needs from the library, behind one object the UI calls.

Reads (questions) run in parallel; writes (uploads being indexed) are serialized,
and the open pipeline is swapped only once an upload is fully indexed, so a
question asked during an upload sees either the old index or the new one.
"""
from __future__ import annotations

import json
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from rag.answer.citations import Answer
from rag.answer.followup import Turn
from rag.chain import Pipeline, open_pipeline
from rag.ingest.convert import SUPPORTED
from rag.ingest.pipeline import IngestResult, ingest, remove
from rag.settings import Settings
from rag.retrieval.store import ReportStore

_SAFE_NAME = re.compile(r"[^\w.-]+", re.UNICODE)


class UploadError(ValueError):
    """A file the page refuses; the message is Vietnamese, for the user."""


def safe_filename(name: str) -> str:
    """A plain file name: no folders, no leading dots, only letters, digits, `.`, `-`, `_`."""
    stem = Path(name).name
    cleaned = _SAFE_NAME.sub("_", stem).strip("._") or "bao_cao"
    return cleaned[:120]


class ChatService:
    def __init__(self, settings: Settings, seeds: Path | None = None, show_progress: bool = False) -> None:
        self.settings = settings
        self.uploads = settings.home / "uploads"
        self.feedback_path = settings.home / "feedback.jsonl"
        self._write_lock = threading.Lock()
        self._feedback_lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self.pipeline: Pipeline
        if seeds is not None:
            self._ingest([seeds], show_progress=show_progress)  # opens the pipeline on its store
        else:
            self.pipeline = open_pipeline(settings)

    # --- questions ---
    def ask(self, question: str, history: list[Turn], doc_ids=None, years=None, k=None, mode=None) -> tuple[str, Answer]:
        """(the question as resolved against the conversation, the cited answer)."""
        pipeline = self._current().with_mode(mode) if mode else self._current()
        resolved = pipeline.resolve(question.strip(), history)
        answer = pipeline.ask(resolved, k=k, doc_ids=doc_ids or None, years=years or None)
        return resolved, answer

    def ask_stream(self, question: str, history: list[Turn], doc_ids=None, years=None, k=None,
                   mode=None) -> Iterator[tuple[str, str | Answer]]:
        """(resolved question, event): the generated text as it comes, then the final Answer."""
        pipeline = self._current().with_mode(mode) if mode else self._current()
        resolved = pipeline.resolve(question.strip(), history)
        for event in pipeline.stream(resolved, k=k, doc_ids=doc_ids or None, years=years or None):
            yield resolved, event

    def _current(self) -> Pipeline:
        """The pipeline, reopened first when another process (a teammate's ingest on a shared
        Chroma server) has changed the index since it was read; one thread reopens, the others wait."""
        with self._refresh_lock:
            self.pipeline = self.pipeline.refreshed()
            return self.pipeline

    # --- reports ---
    def reports(self) -> dict[str, dict]:
        return self.pipeline.store.reports()

    def report(self, doc_id: str):
        return self.pipeline.store.report(doc_id)

    # --- uploads (serialized) ---
    def upload(self, paths: list[str], progress: Callable[[float, str], None] | None = None) -> IngestResult:
        saved = []
        for path in paths:
            source = Path(path)
            if source.suffix.lower() not in SUPPORTED:
                raise UploadError(f"Không hỗ trợ tệp {source.name}: chỉ nhận {', '.join(SUPPORTED)}.")
            if source.stat().st_size > self.settings.max_file_bytes:
                raise UploadError(f"Tệp {source.name} quá lớn (tối đa {self.settings.max_file_mb} MB).")
            saved.append(source)
        self.uploads.mkdir(parents=True, exist_ok=True)
        targets = []
        for source in saved:
            target = (self.uploads / safe_filename(source.name)).resolve()
            if self.uploads.resolve() not in target.parents:  # never outside the data folder
                raise UploadError(f"Tên tệp không hợp lệ: {source.name}")
            shutil.copyfile(source, target)
            targets.append(target)
        return self._ingest(targets, progress)

    def _ingest(self, paths: list[Path], progress=None, show_progress: bool = False) -> IngestResult:
        with self._write_lock:
            if progress:
                progress(0.1, "Đang đọc và lập chỉ mục…")
            store = ReportStore.open(self.settings, create=True)
            result = ingest(paths, store, self.settings.lexical_dir, progress=show_progress,
                            max_bytes=self.settings.max_file_bytes)
            if progress:
                progress(0.9, "Đang nạp lại chỉ mục…")
            # swapped in whole, on the store just written to: readers never see half an index
            self.pipeline = open_pipeline(self.settings, store)
            return result

    def remove(self, doc_id: str) -> None:
        """Forget a report (both indexes); its uploaded file goes too. Serialized with uploads."""
        with self._write_lock:
            store = ReportStore.open(self.settings)
            remove([doc_id], store, self.settings.lexical_dir)
            for upload in self.uploads.glob(f"{doc_id}.*") if self.uploads.is_dir() else []:
                upload.unlink()
            self.pipeline = open_pipeline(self.settings, store)

    # --- feedback ---
    def record_feedback(self, question: str, answer: dict, liked: bool) -> None:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "liked": liked, "question": question,
                 "answer": answer.get("answer", ""), "refused": answer.get("refused"),
                 "citations": answer.get("citations", [])}
        with self._feedback_lock:
            self.feedback_path.parent.mkdir(parents=True, exist_ok=True)
            with self.feedback_path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
