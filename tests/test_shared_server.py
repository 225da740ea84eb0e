"""A team on one `chroma run` (issue 11): clients keep asking while a teammate ingests and removes
reports in another process; a long-lived reader notices the change, and its lexical side never
serves a chunk the server no longer holds."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from rag.chain import open_pipeline
from rag.settings import Settings

from .conftest import SEEDS

BAOCAO = str(Path(sys.executable).parent / "baocao")
DONG_BAC = "Cụm thi đua Đông Bắc gồm những tỉnh nào?"  # answered by report 002
MEDAL = "Ai được trao Huân chương Lao động hạng Nhì tại hội nghị giao ban 7 tháng đầu năm 2009?"  # report 004


def _teammate(args: list[str], server: str, home: Path) -> subprocess.Popen:
    env = {**os.environ, "BAOCAO_HOME": str(home), "BAOCAO_CHROMA_URL": server, "BAOCAO_COLLECTION": "live",
           "BAOCAO_EMBEDDING_CACHE": ""}
    return subprocess.Popen([BAOCAO, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _finished(process: subprocess.Popen) -> None:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-2000:]


def test_readers_keep_answering_while_a_teammate_ingests_and_removes(tmp_path, two_seeds, chroma_server):
    _finished(_teammate(["ingest", str(two_seeds)], chroma_server, tmp_path / "teammate"))
    reader = open_pipeline(Settings.load(home=tmp_path / "reader", chroma_url=chroma_server, collection="live"))
    assert "Cao Bằng" in reader.ask(DONG_BAC).answer

    more = tmp_path / "more"
    more.mkdir()
    shutil.copy(SEEDS / "004_aa4c518af7af5ae9.txt", more)
    ingesting = _teammate(["ingest", str(more)], chroma_server, tmp_path / "teammate")
    answers, errors = [], []

    def keep_asking() -> None:
        while ingesting.poll() is None:
            try:
                answers.append(reader.refreshed().ask(DONG_BAC))
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(exc)

    readers = [threading.Thread(target=keep_asking) for _ in range(3)]
    for thread in readers:
        thread.start()
    _finished(ingesting)
    for thread in readers:
        thread.join()
    assert errors == [] and answers, errors[:1]
    assert all("Cao Bằng" in a.answer for a in answers)  # the untouched report answers throughout

    assert reader.refreshed() is not reader  # the teammate's ingest is noticed ...
    fresh = reader.refreshed()
    assert fresh.refreshed() is fresh  # ... once
    medal = fresh.ask(MEDAL)
    assert not medal.refused and "004_aa4c518af7af5ae9" in {c.doc_id for c in medal.citations}

    _finished(_teammate(["remove", "002_37f2df06d8ddf81f"], chroma_server, tmp_path / "teammate"))
    # the stale reader's BM25 still lists report 002's chunks and sentences: none is served
    stale = fresh.ask(DONG_BAC)
    assert "002_37f2df06d8ddf81f" not in {c.doc_id for c in stale.citations}
    assert all(r["doc_id"] != "002_37f2df06d8ddf81f" for r in stale.retrieved)
    assert "002_37f2df06d8ddf81f" not in fresh.refreshed().lexical.doc_ids
