"""The benchmark: metrics on hand-computed cases, the set's validator, compare, floors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.evaluation.compare import compare
from rag.evaluation.dataset import DatasetError, EvalItem, corpus_paths, load, locate, validate
from rag.evaluation.metrics import (
    citation_metrics,
    citations_verbatim,
    evidence_recall,
    fact_recall,
    ranked_reports,
    retrieval_metrics,
    span_match,
    span_recall,
    token_f1,
)
from rag.evaluation.runner import aggregate, bootstrap, summarize

TEXT = "Ngày 19-12, tại TP. Nha Trang, hội nghị tổng kết. Đồng chí Nguyễn Tấn Tuân phát biểu chào mừng."
TEXTS = {"a": TEXT, "b": "Báo cáo khác."}
ITEM = EvalItem(
    id="x", question="Ai phát biểu chào mừng?", answer="Đồng chí Nguyễn Tấn Tuân.",
    facts=[["Nguyễn Tấn Tuân"]], doc_ids=["a"],
    evidence=[{"doc_id": "a", "quote": "Đồng chí Nguyễn Tấn Tuân phát biểu chào mừng."}], tags=["who"],
)
NO_ANSWER = EvalItem(id="y", question="Giá vàng?", tags=["unanswerable"])


def _chunk(doc, start, end):
    return {"doc_id": doc, "chunk_id": f"{doc}:0", "score": 1.0, "start": start, "end": end}


def test_retrieval_metrics_by_hand():
    items = [ITEM, EvalItem(id="z", question="q", doc_ids=["a", "b"], facts=[["x"]]), NO_ANSWER]
    runs = {"x": ["b", "a"], "z": ["a"], "y": ["a"]}
    m = retrieval_metrics(items, runs)
    assert set(m) == {"x", "z"}  # unanswerable items have no retrieval metrics
    assert m["x"]["hit@1"] == 0.0 and m["x"]["hit@3"] == 1.0 and m["x"]["mrr"] == 0.5
    assert m["x"]["ndcg@5"] == pytest.approx(1 / 1.5849625, abs=1e-4)  # 1/log2(3)
    assert m["z"]["hit@1"] == 1.0 and m["z"]["ndcg@5"] == pytest.approx(1 / (1 + 1 / 1.5849625), abs=1e-4)


def test_nothing_retrieved_scores_zero():
    m = retrieval_metrics([ITEM], {"x": []})
    assert m["x"] == {"hit@1": 0.0, "hit@3": 0.0, "hit@5": 0.0, "mrr": 0.0, "ndcg@5": 0.0}
    assert evidence_recall(ITEM, [], TEXTS) == 0.0


def test_ranked_reports_keep_first_occurrence():
    assert ranked_reports([_chunk("b", 0, 1), _chunk("a", 0, 5), _chunk("b", 2, 3)]) == ["b", "a"]


def test_evidence_recall_needs_half_the_span():
    start = TEXT.index("Đồng chí")
    assert evidence_recall(ITEM, [_chunk("a", start - 5, len(TEXT))], TEXTS) == 1.0
    assert evidence_recall(ITEM, [_chunk("a", 0, start + 5)], TEXTS) == 0.0
    assert evidence_recall(ITEM, [_chunk("b", 0, 100)], TEXTS) == 0.0


def test_a_quote_is_located_in_ocr_text_with_a_few_misread_characters():
    original = "Trụ sở đóng quân ban đầu đặt tại khu rừng Đồi Thơ, xã Hòa Hiệp, huyện Tân Biên."
    read = "Lời mở đầu.\n\nTrụ sở đóng quân ban đầu đặt tại khu rùng Đồi Thơ, xã Hòa Hiệp, huuện Tân Biên.\n\nHết."
    start, end = locate(original, read)
    assert read[start:end].startswith("Trụ sở") and end - start == len(original)
    assert locate("Ngày 25/4/2020, Bộ trưởng ký quyết định số 2061 về tổ chức bộ máy.", read) is None
    assert locate("khu rừng", "ở khu rừng") == (2, 10)  # verbatim first


def test_fact_recall_ignores_case_and_tone_placement():
    item = EvalItem(id="t", question="q", facts=[["Thanh Hóa"], ["8 tỉnh"]], doc_ids=["a"])
    assert fact_recall(item, "tỉnh THANH HOÁ có 8 tỉnh") == 1.0
    assert fact_recall(item, "Thanh Hoá") == 0.5
    assert fact_recall(item, "") == 0.0


def test_token_f1():
    assert token_f1("Nguyễn Tấn Tuân", "Nguyễn Tấn Tuân [1]") == 1.0
    assert token_f1("Nguyễn Tấn Tuân", "") == 0.0
    assert token_f1("a b c d", "a b") == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def _result(answer, citations, refused=False):
    return {"answer": answer, "refused": refused, "citations": citations}


def test_citation_precision_and_recall():
    start = TEXT.index("Đồng chí")
    good = {"marker": 1, "doc_id": "a", "start": start, "end": len(TEXT), "quote": TEXT[start:]}
    off = {"marker": 2, "doc_id": "a", "start": 0, "end": 10, "quote": TEXT[:10]}
    p, r = citation_metrics(ITEM, _result(f"{TEXT[start:]} [1] {TEXT[:10]} [2]", [good, off]), TEXTS)
    assert (p, r) == (0.5, 1.0)
    p, r = citation_metrics(ITEM, _result(f"{TEXT[start:]} [1] Một câu không có nguồn.", [good]), TEXTS)
    assert (p, r) == (1.0, 0.5)  # the second sentence is unsupported
    # a quote narrowed to part of its sentence is shown between ellipses: still supported
    part = {**good, "end": start + 23, "quote": TEXT[start : start + 23]}
    assert citation_metrics(ITEM, _result(f"{TEXT[start : start + 23]} … [1]", [part]), TEXTS) == (1.0, 1.0)
    assert citation_metrics(ITEM, _result("Không tìm thấy", [], refused=True), TEXTS) == (None, None)


def _outcome(id, answerable, refused, correct, **kw):
    base = {"id": id, "answerable": answerable, "refused": refused, "correct": correct, "split": "dev",
            "tags": ["t"], "citation_precision": None, "citation_recall": None, "answer": "x" * 10,
            "timings_ms": {"retrieve": 1.0, "answer": 2.0, "total": 3.0}}
    if answerable:
        base.update({"hit@1": 1.0, "hit@3": 1.0, "hit@5": 1.0, "mrr": 1.0, "ndcg@5": 1.0,
                     "evidence_recall": 1.0, "fact_recall": 0.0 if refused else 1.0, "f1": 0.5})
    else:
        base.update({k: None for k in ("evidence_recall", "fact_recall", "f1")})
    return base | kw


def test_refusals_are_counted_both_ways():
    outcomes = [
        _outcome("a", True, False, True),
        _outcome("b", True, True, False),  # refused an answerable question: a false refusal
        _outcome("c", False, True, True),
        _outcome("d", False, False, False),  # answered an unanswerable one
    ]
    m = aggregate(outcomes)
    assert m["accuracy"] == 0.5
    assert m["refusal_precision"] == 0.5 and m["refusal_recall"] == 0.5
    assert m["false_refusal_rate"] == 0.5 and m["fact_recall"] == 0.5
    assert aggregate([_outcome("e", True, False, True)])["refusal_recall"] is None
    assert m["answer_chars_p50"] == 10.0  # over the two answered questions


def test_gold_span_metrics():
    item = EvalItem(id="s", question="q", doc_ids=["d"], spans=["đi bộ mười phút", "mười phút mỗi ngày"])
    assert span_match(item, "Nên Đi bộ mười phút [1] mỗi sáng.") == 1.0  # case and markers do not matter
    assert span_match(item, "Nên đi bộ mỗi ngày.") == 0.0
    assert span_recall(item, "mười phút [1]") == 0.5  # 2 of the 4 syllables of either span
    assert span_recall(item, "đi bộ mười phút mỗi ngày") == 1.0


def test_citations_verbatim_checks_each_quote_against_the_text():
    texts = {"d": "Câu một. Câu hai."}
    good = {"doc_id": "d", "start": 0, "end": 8, "quote": "Câu một."}
    bad = {"doc_id": "d", "start": 9, "end": 17, "quote": "Câu ba."}
    assert citations_verbatim({"citations": [good]}, texts) == 1.0
    assert citations_verbatim({"citations": [good, bad]}, texts) == 0.5
    assert citations_verbatim({"citations": []}, texts) is None


def test_gold_span_sets_load_with_a_stable_split(tmp_path):
    qa = tmp_path / "qa.jsonl"
    rows = [{"id": "a1", "question": "Ai?", "answerable": True, "docs": ["d1"], "answers": ["ông A", "A"], "kind": "in_corpus"},
            {"id": "a2", "question": "Gì?", "answerable": False, "docs": [], "absent_answers": ["x"], "kind": "out_of_corpus"}]
    qa.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    first, second = load(qa)
    assert first.spans == ["ông A", "A"] and first.doc_ids == ["d1"] and first.answerable and first.tags == ["in_corpus"]
    assert not second.answerable and second.spans == [] and second.answer == ""
    assert [i.split for i in load(qa)] == [first.split, second.split]  # the same every time
    assert validate([first], {"d1": "Hôm qua Ông A đến."}) == []
    assert validate([first], {"d1": "Không có."}) == ["a1: no gold span is in its reports"]


def test_a_corpus_folder_finds_its_docs_and_questions(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "qa.jsonl").write_text("")
    assert corpus_paths(tmp_path, None) == (tmp_path / "docs", tmp_path / "qa.jsonl")
    assert corpus_paths(tmp_path / "docs", None) == (tmp_path / "docs", tmp_path / "qa.jsonl")  # the parent's
    (tmp_path / "x" / "other").mkdir(parents=True)
    with pytest.raises(DatasetError, match="--qa"):
        corpus_paths(tmp_path / "x" / "other", None)


def test_bootstrap_is_reproducible_and_brackets_the_mean():
    outcomes = [_outcome(str(i), True, False, i % 3 != 0) for i in range(30)]
    a, b = bootstrap(outcomes, samples=200), bootstrap(outcomes, samples=200)
    assert a == b
    low, high = a["accuracy"]
    assert low <= aggregate(outcomes)["accuracy"] <= high and low < high


def test_compare_shows_deltas_and_flipped_questions():
    before = summarize([_outcome("a", True, False, True, question="qa", failures=[]),
                        _outcome("b", True, True, False, question="qb", failures=["refused"])], {})
    after = summarize([_outcome("a", True, True, False, question="qa", failures=["refused"]),
                       _outcome("b", True, False, True, question="qb", failures=[])], {})
    text = compare(before, after, "old", "new")
    assert "accuracy" in text and "+0.000" in text
    assert "+ b qb" in text and "- a qa" in text


def test_the_repository_eval_set_is_valid(seed_texts):
    items = load()
    assert len(items) >= 80 and validate(items, seed_texts) == []
    assert validate(load(Path(__file__).parents[1] / "eval" / "multiturn.jsonl"), seed_texts) == []
    assert {i.split for i in items} == {"dev", "test"}
    tags = {t for i in items for t in i.tags}
    assert {"who", "when", "where", "how_many", "list", "resolution", "multi_report", "unanswerable",
            "no_diacritics", "tone_variant", "paraphrase", "english"} <= tags
    assert {d for i in items for d in i.doc_ids} == set(seed_texts)


def test_the_validator_catches_bad_items(seed_texts):
    bad = [
        EvalItem(id="1", question="q", answer="a", facts=[["không có"]], doc_ids=["000_1f9fa2e96ddb3942"],
                 evidence=[{"doc_id": "000_1f9fa2e96ddb3942", "quote": "Sáng 26/6, tại huyện"}]),
        EvalItem(id="1", question="q", answer="a", facts=[["x"]], doc_ids=["nope"],
                 evidence=[{"doc_id": "nope", "quote": "retyped, not verbatim"}]),
        EvalItem(id="3", question="q", facts=[["x"]], tags=["unanswerable"]),
    ]
    problems = "\n".join(validate(bad, seed_texts))
    for expected in ("not in its evidence", "duplicate id", "unknown report nope", "not verbatim",
                     "an unanswerable item has no facts"):
        assert expected in problems


def _baocao(*args, home):
    return subprocess.run([str(Path(sys.executable).parent / "baocao"), *args], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "BAOCAO_HOME": str(home)})


def test_eval_cli_writes_reports_and_enforces_floors(seed_index, tmp_path):
    home = seed_index.settings.home
    run = _baocao("eval", "--split", "dev", "--out", str(tmp_path / "run"), "--min", "hit@1=0.8", home=home)
    assert run.returncode == 0, run.stderr
    assert "accuracy" in run.stdout and "tag (worst first)" in run.stdout
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["overall"]["n"] == sum(1 for i in load() if i.split == "dev")
    assert len(results["questions"]) == results["overall"]["n"]
    page = (tmp_path / "run" / "report.html").read_text()
    assert "<svg" in page and "<script" not in page
    assert "# baocao eval" in (tmp_path / "run" / "report.md").read_text()
    failing = _baocao("eval", "--split", "dev", "--min", "accuracy=1.01", home=home)
    assert failing.returncode == 1 and "below floor: accuracy" in failing.stderr
    same = _baocao("eval", "--compare", str(tmp_path / "run"), str(tmp_path / "run"), home=home)
    assert same.returncode == 0 and "broken by" in same.stdout
    bad = _baocao("eval", "--min", "accuracy", home=home)
    assert bad.returncode == 2 and "METRIC=VALUE" in bad.stderr


def test_eval_cli_runs_two_corpora_side_by_side(tmp_path):
    """A gold-span corpus written here, beside the seeds; each indexed in its own data folder."""
    corpus = tmp_path / "tiny"
    (corpus / "docs").mkdir(parents=True)
    (corpus / "docs" / "t1.txt").write_text(
        "Bệnh viện mở khoa mới\n\nNgày 3/4, bệnh viện tỉnh mở khoa tim mạch với 40 giường bệnh. "
        "Bác sĩ Trần Minh Khôi làm trưởng khoa.", encoding="utf-8")
    rows = [{"id": "t1", "question": "Khoa tim mạch có bao nhiêu giường bệnh?", "answerable": True, "docs": ["t1"],
             "answers": ["40 giường bệnh"]},
            {"id": "t2", "question": "Giá cổ phiếu của hãng hàng không là bao nhiêu?", "answerable": False, "docs": [],
             "absent_answers": ["10.000 đồng"]}]
    (corpus / "qa.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    home = tmp_path / "home"
    run = _baocao("eval", "--corpus", str(corpus), "--corpus", "seeds", "--split", "dev", "--out", str(tmp_path / "run"),
                  "--max", "false_refusal_rate=1", home=home)
    assert run.returncode == 0, run.stderr
    assert "corpora side by side" in run.stdout and "span_match" in run.stdout
    tiny = json.loads((tmp_path / "run" / "tiny" / "results.json").read_text())
    assert tiny["config"]["corpus"] == "tiny" and tiny["overall"]["citation_verbatim"] in (1.0, None)
    assert (tmp_path / "run" / "seeds" / "report.html").is_file() and (tmp_path / "run" / "corpora.md").is_file()
    assert sorted(p.name.split("-")[0] for p in (home / "eval").iterdir()) == ["seeds", "tiny"]
    over = _baocao("eval", "--corpus", str(corpus), "--max", "answer_chars_p50=1", home=home)
    assert over.returncode == 1 and "tiny: above ceiling: answer_chars_p50" in over.stderr
    unpaired = _baocao("eval", "--corpus", str(corpus), "--corpus", "seeds", "--qa", str(corpus / "qa.jsonl"), home=home)
    assert unpaired.returncode == 2 and "one --qa per --corpus" in unpaired.stderr
