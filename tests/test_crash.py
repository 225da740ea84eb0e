"""`baocao ingest` killed with SIGKILL at random moments: after each kill no report is
searchable half-written, and the next ingest finishes the job with the index exactly right.

CI runs a few kill points; `BAOCAO_KILL_POINTS=50` runs the full test by hand. The moments are
drawn from a seeded generator (`BAOCAO_KILL_SEED`), printed, so a failure can be replayed.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

from .conftest import SEEDS
from .test_cli import BAOCAO, run

KILL_POINTS = int(os.environ.get("BAOCAO_KILL_POINTS", "4"))
SEED = int(os.environ.get("BAOCAO_KILL_SEED", "20261126"))


def _corpus(folder: Path) -> list[str]:
    """Small reports cut from two seeds, two lines each: many reports, quick to embed."""
    folder.mkdir()
    ids = []
    for seed in ("000_1f9fa2e96ddb3942.txt", "004_aa4c518af7af5ae9.txt"):
        paragraphs = [p for p in (SEEDS / seed).read_text(encoding="utf-8").splitlines() if len(p.strip()) > 80]
        for n in range(0, len(paragraphs) - 1, 2):
            doc_id = f"{seed[:3]}-{n:02d}"
            (folder / f"{doc_id}.txt").write_text("\n\n".join(paragraphs[n : n + 2]), encoding="utf-8")
            ids.append(doc_id)
    return ids


def _problems(home: Path) -> dict[str, str]:
    result = run("check", "--json", home=home)
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {"(no index)": result.stderr.strip()}


def test_an_ingest_killed_anywhere_is_finished_by_the_next(tmp_path):
    folder, home = tmp_path / "reports", tmp_path / "home"
    ids = _corpus(folder)
    assert len(ids) >= 5
    start = time.perf_counter()
    first = run("ingest", str(folder), "--json", home=tmp_path / "timing-home")
    full = time.perf_counter() - start  # how long an uninterrupted ingest takes here
    assert first.returncode == 0, first.stderr
    rng = random.Random(SEED)
    moments = [round(rng.uniform(0.5, full), 2) for _ in range(KILL_POINTS)]
    print(f"uninterrupted ingest {full:.1f} s; kill moments (s): {moments}")
    killed = 0
    for at in moments:
        process = subprocess.Popen([BAOCAO, "ingest", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   env={**os.environ, "BAOCAO_HOME": str(home)})
        try:
            process.wait(timeout=at)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed += 1
        if not (home / "chroma").exists():
            continue  # killed before the index existed
        # whatever the moment: a report with a record is whole; only passages without one may be left
        broken = {d: why for d, why in _problems(home).items() if "without a report record" not in why}
        assert not broken, (at, broken)
    assert killed >= KILL_POINTS // 2  # most moments fell inside an ingest

    final = run("ingest", str(folder), "--json", home=home)
    assert final.returncode == 0, final.stderr
    summary = json.loads(final.stdout)
    assert sorted(summary["added"] + summary["updated"] + summary["unchanged"]) == sorted(ids)
    checked = run("check", home=home)  # the passages of reports killed mid-write went when they were redone
    assert checked.returncode == 0 and "index whole" in checked.stdout, checked.stdout + checked.stderr
    listed = json.loads(run("reports", "--json", home=home).stdout)
    reference = json.loads(run("reports", "--json", home=tmp_path / "timing-home").stdout)
    assert [(r["doc_id"], r["chunks"], r["sha256"]) for r in listed] == \
           [(r["doc_id"], r["chunks"], r["sha256"]) for r in reference]  # exactly what one clean ingest gives

    from rag.chain import open_pipeline
    from rag.settings import Settings

    pipeline = open_pipeline(Settings.load(home=home))
    assert pipeline.lexical.doc_ids == set(ids)  # the lexical side agrees with the dense side
    answer = pipeline.ask("Ai được trao Huân chương Lao động hạng Nhì?")
    assert not answer.refused and "Nguyễn Thừa Việt" in answer.answer
