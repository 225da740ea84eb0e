"""Faults a long-running deployment meets: the shared Chroma server going away and coming back,
a damaged data folder, a disk that fills up during an ingest. Each gets a clear message that
says what to do, and nothing indexed before is lost."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from rag.settings import Settings

from .conftest import SEEDS, _free_port, running_server
from .test_cli import BAOCAO, run

QUESTION = "Cụm thi đua số 2 gồm bao nhiêu tỉnh?"


def _chroma(path: Path, port: int):
    import chromadb

    command = [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(path / "data"),
               "--host", "127.0.0.1", "--port", str(port)]
    return running_server(command, lambda: chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat(), path, 30,
                          env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})


def test_the_chroma_server_stopping_mid_session_is_named_and_survived(tmp_path, two_seeds):
    from gradio_client import Client

    from rag.retrieval.store import StoreUnavailableError
    from ui.app import serve
    from ui.service import ChatService

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings.load(home=tmp_path / "home", chroma_url=url)
    with _chroma(tmp_path, port):
        service = ChatService(settings, seeds=two_seeds)  # indexes into the server
        app = serve(service, port=_free_port(), block=False)
        client = Client(f"http://127.0.0.1:{app.server_port}", verbose=False)
        assert "14" in client.predict(QUESTION, api_name="/ask")["answer"]
    try:
        # the server is gone: the chain, the API and the CLI say which one
        with pytest.raises(StoreUnavailableError, match=f"not reachable at {url}"):
            service.pipeline.ask(QUESTION)
        with pytest.raises(Exception, match=url.replace(".", r"\.")):
            client.predict(QUESTION, api_name="/ask")
        cli = run("--chroma-url", url, "ask", QUESTION, home=tmp_path / "cli")
        assert cli.returncode == 1 and url in cli.stderr and "Traceback" not in cli.stderr
        with _chroma(tmp_path, port):  # back, on its data: the same session answers again
            assert "14" in service.pipeline.ask(QUESTION).answer
            assert "14" in client.predict(QUESTION, api_name="/ask")["answer"]
    finally:
        app.close()


@pytest.fixture
def indexed_home(tmp_path, two_seeds) -> Path:
    home = tmp_path / "home"
    assert run("ingest", str(two_seeds), home=home).returncode == 0
    return home


@pytest.mark.parametrize("damage", ["garbage", "deleted"])
def test_a_damaged_data_folder_is_detected_at_start_with_how_to_rebuild(indexed_home, damage):
    database = indexed_home / "chroma" / "chroma.sqlite3"
    if damage == "garbage":
        database.write_bytes(os.urandom(200))
    else:  # half-deleted: the database gone, the vector segments left
        database.unlink()
    for command in (["ask", QUESTION], ["reports"], ["serve", "--port", str(_free_port())]):
        result = run(*command, home=indexed_home)
        assert result.returncode == 1, (command, result.stdout, result.stderr[-500:])
        assert "is damaged" in result.stderr and "baocao ingest" in result.stderr and "Traceback" not in result.stderr


def test_a_disk_filling_up_during_an_ingest_leaves_the_previous_index_usable(indexed_home, two_seeds):
    import resource
    import subprocess

    for name in ("001_94090ceb8c428316.txt", "003_838962f970cd0743.txt", "004_aa4c518af7af5ae9.txt"):
        shutil.copy(SEEDS / name, two_seeds / name)
    limit = max(p.stat().st_size for p in (indexed_home / "chroma").rglob("*") if p.is_file()) + 8192

    def small_disk():  # no file may grow past `limit` bytes: writes fail as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    full = subprocess.run([BAOCAO, "ingest", str(two_seeds)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "BAOCAO_HOME": str(indexed_home)}, preexec_fn=small_disk)
    assert full.returncode == 1 and "is the disk full?" in full.stderr and "Traceback" not in full.stderr
    answer = run("ask", QUESTION, home=indexed_home)  # the reports indexed before still answer
    assert answer.returncode == 0 and "14" in answer.stdout
    checked = run("check", "--json", home=indexed_home)
    import json

    assert all("without a report record" in why for why in json.loads(checked.stdout).values())  # no report half there
    again = run("ingest", str(two_seeds), home=indexed_home)  # space again: the job is finished
    assert again.returncode == 0 and run("check", home=indexed_home).returncode == 0
