"""The scale benchmark at a tiny size, end to end (`baocao bench`), and its corpus generator."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from rag.evaluation.synthetic import Recombiner, corpus_key, load_vocabulary, write_corpus

from .conftest import ROOT, SEEDS

VOCABULARY = load_vocabulary(ROOT / "eval" / "bench_vocab.toml")


def test_the_synthetic_corpus_is_deterministic_and_keeps_the_seeds(tmp_path):
    sources = sorted(SEEDS.glob("*.txt"))
    a = write_corpus(sources, VOCABULARY, chars=60_000, out=tmp_path / "a", seed=7)
    b = write_corpus(sources, VOCABULARY, chars=60_000, out=tmp_path / "b", seed=7)
    assert [p.read_text() for p in a] == [p.read_text() for p in b]  # the same seed, the same corpus
    assert {p.name for p in sources} <= {p.name for p in a}  # the real reports stay in it
    assert sum(len(p.read_text()) for p in a) >= 60_000
    synthetic = "\n".join(p.read_text() for p in a if p.name.startswith("synthetic"))
    assert any(province in synthetic for province in VOCABULARY["provinces"])
    assert synthetic != Recombiner([p.read_text() for p in sources], VOCABULARY, seed=8).report(20)


def test_distractors_swap_every_name_place_and_cluster_number():
    # a name, province or "số IV" left as it is would make a distractor a second report of the
    # same fact, counted as a retrieval miss
    source = ("Tham dự có các ông: Lò Văn Khải – Vụ trưởng Vụ địa phương; đại diện Ban Tổ chức các tỉnh "
              "Thanh Hoá, Quảng Nam và Cụm thi đua số IV.")
    recombiner = Recombiner([source], VOCABULARY, seed=3)
    sentences = [recombiner.sentence("Bến Tre") for _ in range(60)]
    assert not any("Lò Văn Khải" in s for s in sentences)
    assert not any("Thanh Hóa" in s or "Thanh Hoá" in s or "Quảng Nam" in s for s in sentences)
    assert not any(re.search(r"số IV\b", s) for s in sentences)
    assert all("Vụ trưởng Vụ địa phương" in s and "tỉnh Bến Tre" in s for s in sentences)  # the report's place


def test_distractors_swap_resolutions_regions_and_counts():
    source = ("Hội nghị 8 tỉnh, thành phố khu vực miền Trung quán triệt Nghị quyết Trung ương 4 (khóa XII), "
              "NQ T.Ư9 và Nghị quyết số 18-NQ/TW.")
    recombiner = Recombiner([source], VOCABULARY, seed=5)
    sentences = [recombiner.sentence("Bến Tre") for _ in range(60)]
    for kept in ("8 tỉnh", "miền Trung", "Trung ương 4 ", "khóa XII", "T.Ư9 ", "18-NQ/TW"):
        assert not any(re.search(rf"(?<![\dIVX]){re.escape(kept)}", s, re.IGNORECASE) for s in sentences), kept
    assert all("Nghị quyết" in s and "NQ/TW" in s for s in sentences)  # the words around them stay
    assert any(region in s for s in sentences for region in VOCABULARY["regions"] if region != "miền Trung")


def test_a_synthetic_report_keeps_one_place_year_and_cast_none_of_its_source():
    # a real report names one province, one year and the same people from its first line to its
    # last; a report mixing dozens of each holds every word of any question, a distractor of nothing
    source = ("Ngày 12/5/2021, tại tỉnh Quảng Nam, Cụm thi đua số 4 tổ chức hội nghị sơ kết do ông Lê Văn Tám "
              "chủ trì. Phát biểu tại hội nghị, ông Lê Văn Tám cho biết năm 2021 Cụm thi đua số 4 gồm 9 tỉnh đã "
              "hoàn thành nhiệm vụ, trong đó tỉnh Quảng Nam dẫn đầu.")
    recombiner = Recombiner([source], VOCABULARY, seed=11)
    for _ in range(20):
        report = recombiner.report(2)
        title, body = report.split("\n\n", 1)
        assert not re.search(r"Quảng Nam|Lê Văn Tám|2021|12/5|số 4\b|\b9 tỉnh", body), body
        place = title.rsplit("tỉnh ", 1)[1]
        assert body.count(f"tỉnh {place}") == 2  # one province throughout, the title's
        [person] = set(re.findall(r"ông (\S+ \S+ \S+?)(?= chủ| cho)", body))  # one person, twice
        [year] = set(re.findall(r"\b20\d\d\b", report))  # the date's year, the text's and the title's
        [cluster] = set(re.findall(r"số (\d+)", body))
        assert body.count(person) == 2 and body.count(f"số {cluster}") == 2


def test_a_child_writing_more_than_a_pipe_holds_is_measured(tmp_path):
    # `ingest --json` at 50k chunks prints ~100 KB: through a pipe nobody read, the bench hung
    import threading

    from rag.evaluation.bench import _run

    script = "import sys; sys.stdout.write('o' * 300_000); sys.stderr.write('e' * 300_000)"
    got = []
    worker = threading.Thread(target=lambda: got.append(_run([sys.executable, "-c", script], {})), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert got, "the bench waited on its child's output"
    seconds, _, stdout = got[0]
    assert stdout == "o" * 300_000 and seconds > 0


def test_a_corpus_is_named_by_its_vocabulary():
    other = {**VOCABULARY, "provinces": VOCABULARY["provinces"][:-1]}
    assert corpus_key(VOCABULARY) == corpus_key(dict(VOCABULARY)) != corpus_key(other)


def test_bench_measures_a_tiny_corpus_against_the_tutorial(tmp_path):
    result = subprocess.run(
        [str(Path(sys.executable).parent / "baocao"), "bench", "--sizes", "40", "--out", str(tmp_path / "out"),
         "--work", str(tmp_path / "work")], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    [row] = json.loads((tmp_path / "out" / "results.json").read_text())
    assert row["chunks"] >= 30 and row["tutorial_chunks"] > 0 and row["ingest_speedup"] > 0
    assert row["hit_at_5"] >= 0.8 and 0 < row["retrieval_p50_ms"] <= row["retrieval_p95_ms"]
    # the held-out questions' own hit@5: a share of them, and (hit@5 >= 0.8 of all) most of them
    from rag.evaluation.dataset import load

    held_out = sum(i.answerable and i.split == "test" for i in load(ROOT / "eval" / "qa.jsonl"))
    assert row["hit_at_5_test"] in {round(n / held_out, 3) for n in range(held_out + 1)}
    assert row["hit_at_5_test"] >= 0.5
    assert "hit@5 test" in (tmp_path / "out" / "report.md").read_text()
    assert "| pooled | 40 |" in (tmp_path / "out" / "report.md").read_text() and "× tutorial" in result.stdout
    assert row["embedder_tokens_per_s"] > 0 and row["tutorial_chars"] <= row["chars"]
    charts = sorted(p.name for p in (tmp_path / "out").glob("*.png"))
    assert "ingest-speed.png" in charts and len(charts) == 6
    assert all((tmp_path / "out" / c).read_bytes()[:4] == b"\x89PNG" for c in charts)
    assert "![ingest-speed](ingest-speed.png)" in (tmp_path / "out" / "report.md").read_text()
    # asked again on the index left behind: the same questions' figures, no ingest of its own
    index = tmp_path / "work" / "home-40-pooled"
    (index / "left-by-the-first-run").write_text("")
    again = subprocess.run(
        [str(Path(sys.executable).parent / "baocao"), "bench", "--sizes", "40", "--keep-index", "--no-tutorial",
         "--out", str(tmp_path / "again"), "--work", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert again.returncode == 0, again.stderr[-2000:]
    [kept] = json.loads((tmp_path / "again" / "results.json").read_text())
    assert "chars_per_s" not in kept and kept["chunks"] == row["chunks"] and kept["hit_at_5"] == row["hit_at_5"]
    assert (index / "left-by-the-first-run").exists()  # not wiped and built again
