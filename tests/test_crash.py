"""`baocao ingest` killed with SIGKILL at random moments of its writing, each time after three
reports were edited (so it is replacing reports as well as adding them): after each kill no
report is searchable half-written, and the next ingest finishes the job with the index exactly
what one clean ingest of the same files gives.

CI runs 4 kill points; `BAOCAO_KILL_POINTS=50` runs the full test by hand. The moments are
drawn from a seeded generator (`BAOCAO_KILL_SEED`), printed, so a failure can be replayed.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

from .conftest import SEEDS
from .test_cli import BAOCAO, run

KILL_POINTS = int(os.environ.get("BAOCAO_KILL_POINTS", "4"))
SEED = int(os.environ.get("BAOCAO_KILL_SEED", "20261126"))


def _corpus(folder: Path) -> list[Path]:
    """Small reports cut from the seeds, two lines each: many reports, each quick to embed."""
    folder.mkdir()
    files = []
    for seed in sorted(SEEDS.glob("*.txt")):
        lines = [p for p in seed.read_text(encoding="utf-8").splitlines() if len(p.strip()) > 80]
        for n in range(0, len(lines) - 1, 2):
            path = folder / f"{seed.name[:3]}-{n:02d}.txt"
            path.write_text("\n".join(lines[n : n + 2]), encoding="utf-8")
            files.append(path)
    return files


def _ingest_killed(folder: Path, home: Path, after: float | None) -> tuple[bool, float]:
    """`baocao ingest`, SIGKILLed `after` seconds into its writing (None: let it finish).
    Returns (killed, seconds it spent writing)."""
    process = subprocess.Popen([BAOCAO, "ingest", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, "BAOCAO_HOME": str(home)})
    writing = threading.Event()

    def watch() -> None:  # the progress bar's first line: embedding and writing have begun
        for line in iter(lambda: process.stderr.read1(4096), b""):
            if b"Embedding" in line:
                writing.set()
    threading.Thread(target=watch, daemon=True).start()
    while not writing.wait(0.05) and process.poll() is None:
        pass
    began = time.perf_counter()
    try:
        process.wait(timeout=after)
        return False, time.perf_counter() - began
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True, time.perf_counter() - began


def _problems(home: Path) -> dict[str, str]:
    result = run("check", "--json", home=home)
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {"(no index)": result.stderr.strip()}


def test_an_ingest_killed_anywhere_is_finished_by_the_next(tmp_path):
    folder, home = tmp_path / "reports", tmp_path / "home"
    files = _corpus(folder)
    _, full = _ingest_killed(folder, home, None)  # a first, whole ingest; how long its writing takes
    per_report = full / len(files)
    rng = random.Random(SEED)
    killed, moments = 0, []
    for round_ in range(KILL_POINTS):
        changed = rng.sample(files, 3)  # reports edited since: the next ingest replaces them
        for path in changed:
            path.write_text(path.read_text(encoding="utf-8") + f"\nCập nhật lần {round_}.", encoding="utf-8")
        at = round(rng.uniform(0, 3 * per_report * 1.2), 2)
        moments.append(at)
        was_killed, _ = _ingest_killed(folder, home, at)
        killed += was_killed
        # whatever the moment: a report with a record is whole; only passages without one may be left
        broken = {d: why for d, why in _problems(home).items() if "without a report record" not in why}
        assert not broken, (round_, at, broken)
    print(f"\n{len(files)} reports, writing {full:.1f} s; {killed} of {KILL_POINTS} ingests killed while writing, "
          f"at (s): {moments}")
    assert killed >= KILL_POINTS // 2  # most moments fell inside the writing

    final = run("ingest", str(folder), "--json", home=home)
    assert final.returncode == 0, final.stderr
    checked = run("check", home=home)  # the passages of reports killed mid-write went when they were redone
    assert checked.returncode == 0 and "index whole" in checked.stdout, checked.stdout + checked.stderr
    clean = tmp_path / "clean-home"
    assert run("ingest", str(folder), home=clean).returncode == 0
    listed = json.loads(run("reports", "--json", home=home).stdout)
    reference = json.loads(run("reports", "--json", home=clean).stdout)
    assert [(r["doc_id"], r["chunks"], r["sha256"]) for r in listed] == \
           [(r["doc_id"], r["chunks"], r["sha256"]) for r in reference]  # exactly what one clean ingest gives

    from rag.chain import open_pipeline
    from rag.settings import Settings

    pipeline = open_pipeline(Settings.load(home=home))
    assert pipeline.lexical.doc_ids == {p.stem for p in files}  # the lexical side agrees with the dense side
    answer = pipeline.ask("Ai được trao Huân chương Lao động hạng Nhì?")
    assert not answer.refused and "Nguyễn Thừa Việt" in answer.answer
