"""Incremental, atomic ingest against a real embedded Chroma."""
import shutil

import pytest

from rag.ingest.pipeline import ingest
from rag.retrieval.lexical import LexicalIndex
from rag.settings import Settings
from rag.retrieval.store import ReportStore

from .conftest import SEEDS


@pytest.fixture
def store(tmp_path):
    settings = Settings.load(home=tmp_path / "home")
    return ReportStore.open(settings, create=True)


def _counts(store):
    return store.chunk_collection.count(), store.sentences.count(), len(store.reports())


def test_three_runs_leave_no_duplicates(store, two_seeds):
    lexical_dir = store.settings.lexical_dir
    first = ingest([two_seeds], store, lexical_dir, progress=False)
    assert sorted(first.added) == ["000_1f9fa2e96ddb3942", "002_37f2df06d8ddf81f"] and first.chunks == 9
    counts = _counts(store)
    for _ in range(2):
        again = ingest([two_seeds], store, lexical_dir, progress=False)
        assert again.added == again.updated == [] and len(again.unchanged) == 2 and again.chunks == 0
        assert _counts(store) == counts
    assert len(LexicalIndex.for_store(store, lexical_dir).ids) == counts[0]


def test_a_changed_report_replaces_its_chunks(store, two_seeds):
    lexical_dir = store.settings.lexical_dir
    ingest([two_seeds], store, lexical_dir, progress=False)
    path = two_seeds / "002_37f2df06d8ddf81f.txt"
    text = path.read_text(encoding="utf-8").replace("Ý kiến bạn đọc", "Đoạn bổ sung về kỷ luật đảng viên.\nÝ kiến bạn đọc")
    path.write_text(text, encoding="utf-8")
    result = ingest([two_seeds], store, lexical_dir, progress=False)
    assert result.updated == ["002_37f2df06d8ddf81f"] and result.unchanged == ["000_1f9fa2e96ddb3942"]
    texts = [d.page_content for d in store.chunks(["002_37f2df06d8ddf81f"])]
    assert any("kỷ luật đảng viên" in t for t in texts)
    ids = [d.metadata["chunk_id"] for d in store.chunks(["002_37f2df06d8ddf81f"])]
    assert len(ids) == len(set(ids)) == store.reports()["002_37f2df06d8ddf81f"]["chunks"]
    # the lexical index follows the store
    lexical = LexicalIndex.for_store(store, lexical_dir)
    assert lexical.search("ky luat dang vien", 1)


def test_prune_removes_reports_whose_files_are_gone(store, two_seeds):
    lexical_dir = store.settings.lexical_dir
    ingest([two_seeds], store, lexical_dir, progress=False)
    (two_seeds / "000_1f9fa2e96ddb3942.txt").unlink()
    kept = ingest([two_seeds], store, lexical_dir, progress=False)
    assert kept.removed == [] and "000_1f9fa2e96ddb3942" in store.reports()  # no --prune: kept
    pruned = ingest([two_seeds], store, lexical_dir, prune=True, progress=False)
    assert pruned.removed == ["000_1f9fa2e96ddb3942"]
    assert list(store.reports()) == ["002_37f2df06d8ddf81f"]
    assert store.chunks(["000_1f9fa2e96ddb3942"]) == []
    assert LexicalIndex.for_store(store, lexical_dir).doc_ids == {"002_37f2df06d8ddf81f"}


def test_an_interrupted_ingest_is_invisible_then_redone(store, two_seeds, monkeypatch):
    lexical_dir = store.settings.lexical_dir
    ingest([two_seeds / "000_1f9fa2e96ddb3942.txt"], store, lexical_dir, progress=False)
    original = ReportStore.replace_reports

    def crash_midway(self, items, on_batch=None):
        def batch(n):
            if any(report.doc_id == "002_37f2df06d8ddf81f" for report, _, _ in items):
                raise KeyboardInterrupt  # the user pressed Ctrl-C while it embedded
        return original(self, items, on_batch=batch)

    monkeypatch.setattr(ReportStore, "replace_reports", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        ingest([two_seeds], store, lexical_dir, progress=False)
    monkeypatch.undo()
    assert list(store.reports()) == ["000_1f9fa2e96ddb3942"]  # no record: not indexed
    assert store.sentence_docs(["002_37f2df06d8ddf81f"])  # its partial passages exist ...
    lexical = LexicalIndex.for_store(store, lexical_dir)
    assert lexical.doc_ids == {"000_1f9fa2e96ddb3942"}  # ... but are never searched
    result = ingest([two_seeds], store, lexical_dir, progress=False)
    assert result.added == ["002_37f2df06d8ddf81f"]
    ids = [d.metadata["chunk_id"] for d in store.chunks(["002_37f2df06d8ddf81f"])]
    assert len(ids) == len(set(ids)) == store.reports()["002_37f2df06d8ddf81f"]["chunks"]


def test_unreadable_files_are_skipped_and_named(store, two_seeds):
    (two_seeds / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (two_seeds / "empty.md").write_text("")
    result = ingest([two_seeds, two_seeds / "missing.txt"], store, store.settings.lexical_dir, progress=False)
    assert len(result.added) == 2
    reasons = dict(result.skipped)
    assert set(reasons) == {str(two_seeds / "broken.pdf"), str(two_seeds / "empty.md"), str(two_seeds / "missing.txt")}
    assert "no such file" in reasons[str(two_seeds / "missing.txt")]


def test_a_second_file_with_the_same_report_id_is_skipped(store, two_seeds, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(SEEDS / "000_1f9fa2e96ddb3942.txt", other / "000_1f9fa2e96ddb3942.md")
    result = ingest([two_seeds, other], store, store.settings.lexical_dir, progress=False)
    assert len(result.added) == 2 and "same report id" in result.skipped[0][1]
