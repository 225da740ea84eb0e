"""The extractive answerer on the seeds: answers lead with the fact, citations are verbatim,
refusals come from missing evidence."""
from __future__ import annotations

import json
import re

import pytest

from rag.answer.citations import REFUSAL
from rag.answer.question import analyze
from rag.chain import QuestionError
from rag.text.normalize import fold

ANSWERABLE = [
    ("Cụm thi đua số 2 gồm bao nhiêu tỉnh?", "000_1f9fa2e96ddb3942", "14 tỉnh"),
    ("Ai được trao Huân chương Lao động hạng Nhì?", "004_aa4c518af7af5ae9", "Nguyễn Thừa Việt"),
    ("huan chuong lao dong hang nhi duoc trao cho ai", "004_aa4c518af7af5ae9", "Nguyễn Thừa Việt"),
    ("Trưởng Ban Tổ chức Tỉnh uỷ Thanh Hoá là ai?", "003_838962f970cd0743", "Nguyễn Văn Hùng"),
    ("Hội nghị tổng kết thi đua năm 2019 ở Nha Trang diễn ra ngày nào?", "001_94090ceb8c428316", "19-12"),
    ("hoi nghi o sam son co bao nhieu tinh", "003_838962f970cd0743", "8 tỉnh"),
    ("Who chaired the conference in Thanh Hoa in 2022?", "003_838962f970cd0743", "đồng chủ trì"),
    ("Which outlet published the report on the Sam Son conference?", "003_838962f970cd0743", "baothanhhoa.vn"),
]
UNANSWERABLE = [
    "Ai được trao Huân chương Độc lập?",  # the report says Huân chương Lao động
    "Hội nghị của Cụm thi đua số IV diễn ra ở đâu?",  # the reports have số 2 and số III
    "Ai là Bí thư Tỉnh ủy Quảng Nam?",  # Quảng Nam is named, its secretary is not
    "Ngân sách tỉnh Nghệ An năm 2019 là bao nhiêu?",
    "What is the population of Nghe An province?",
    "Giá vàng hôm nay bao nhiêu?",
]


@pytest.mark.parametrize("question, doc_id, fact", ANSWERABLE)
def test_answers_lead_with_the_fact_and_cite_it(seed_index, question, doc_id, fact):
    answer = seed_index.ask(question)
    assert not answer.refused, answer.reason
    lead = answer.citations[0]
    assert lead.doc_id == doc_id and fold(fact) in fold(lead.quote)
    assert answer.answer.startswith(lead.quote) and "[1]" in answer.answer
    assert len(answer.citations) <= 3  # short means short


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_refuses_without_evidence(seed_index, question):
    answer = seed_index.ask(question)
    assert answer.refused and answer.answer == REFUSAL and answer.citations == []
    assert answer.retrieved  # it looked, and found nothing that answers


def test_every_citation_is_verbatim_and_every_sentence_is_cited(seed_index):
    questions = [q for q, _, _ in ANSWERABLE] + ["Hội nghị ở Hà Giang thông qua những dự thảo nào?",
                                                 "Lê Quang Triều giữ những chức vụ gì?"]
    for question in questions:
        answer = seed_index.ask(question)
        for c in answer.citations:
            text = seed_index.store.report(c.doc_id).text
            assert text[c.start : c.end] == c.quote
            assert c.chunk_id.startswith(c.doc_id + ":")
            # the quote, between ellipses when it is some clauses of a longer sentence
            assert re.search(rf"{re.escape(c.quote)}( …)? \[{c.marker}\]", answer.answer)
        assert [c.marker for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_a_question_spanning_two_reports_cites_both(seed_index):
    answer = seed_index.ask("So sánh số tỉnh dự hội nghị ở Diễn Châu và ở Sầm Sơn")
    assert not answer.refused, answer.reason
    assert {c.doc_id for c in answer.citations} == {"000_1f9fa2e96ddb3942", "003_838962f970cd0743"}


def test_the_json_contract(seed_index):
    payload = json.loads(json.dumps(seed_index.ask("Cụm thi đua số 2 gồm bao nhiêu tỉnh?").to_dict(), ensure_ascii=False))
    assert {"question", "answer", "refused", "citations", "retrieved", "timings_ms"} <= set(payload)
    assert isinstance(payload["answer"], str) and payload["refused"] is False
    citation = payload["citations"][0]
    types = {"marker": int, "doc_id": str, "title": str, "chunk_id": str, "start": int, "end": int,
             "quote": str, "score": float}
    assert {k: type(citation[k]) for k in types} == types
    assert all({"doc_id", "chunk_id", "score"} <= set(r) for r in payload["retrieved"])
    assert set(payload["timings_ms"]) == {"retrieve", "answer", "total"}
    assert payload["timings_ms"]["total"] >= payload["timings_ms"]["retrieve"]


@pytest.mark.parametrize("question", ["", "   ", "x" * 2001])
def test_bad_questions_are_rejected(seed_index, question):
    with pytest.raises(QuestionError):
        seed_index.ask(question)


@pytest.mark.parametrize(
    "question, kind",
    [("Cụm thi đua số 2 gồm bao nhiêu tỉnh?", "number"), ("Hội nghị diễn ra ở đâu?", "place"),
     ("hoi nghi dien ra khi nao", "date"), ("Ai chủ trì hội nghị?", "person"),
     ("Nguyễn Văn Thông giữ chức vụ gì?", "role"), ("Những tỉnh nào dự hội nghị?", "list"),
     ("Who wrote the article?", "author"), ("Bài viết đăng trên báo nào?", "source")],
)
def test_question_kinds(question, kind):
    assert analyze(question).kind == kind


def test_named_things_in_questions():
    q = analyze("Hội nghị của Cụm thi đua số IV ở Nha Trang năm 2019", lambda w: 0.8 if w == "Cụm" else 0.2)
    assert set(q.entities) == {"số iv", "nha trang", "năm 2019"}  # "Cụm": most reports use it
    assert "cụm" in analyze("Hội nghị của Cụm thi đua số IV ở Nha Trang năm 2019").entities  # no statistics
    assert q.event_entities == {"số iv", "nha trang"} and q.years == {"năm 2019"}
    assert analyze("Ai là Bí thư Tỉnh ủy Quảng Nam?").entities == ("quảng nam",)
    assert analyze("Trưởng Ban Tổ chức là ai?").entities == ()  # a capital opening a question is not a name
    assert analyze("Nếu Sở Tài chính chưa rút dự toán thì sao?").entities == ("sở tài",)  # "Nếu" opens it


def test_a_name_written_in_sentence_case_may_be_found_by_its_initials():
    """"Luật Bảo vệ môi trường" is "Luật BVMT" in the reports that cite it often."""
    from rag.answer.evidence import EvidenceStep
    from langchain_core.documents import Document
    from rag.retrieval.store import Report

    q = analyze("Luật Bảo vệ môi trường năm 2020 có hiệu lực từ ngày nào?")
    assert q.spellings("luật bảo") == ("luật bảo", "luat bvmt")
    text = "Báo cáo đề tài\nLuật BVMT năm 2020 bắt đầu có hiệu lực từ ngày 01/01/2022."
    report = Report("r", text, {"title": "Báo cáo đề tài", "chunk_starts": "0"})
    chunk = Document(text, metadata={"doc_id": "r", "chunk_id": "r:000", "start": 0, "end": len(text)})
    ev = EvidenceStep(idf=lambda t: 1.0, similarity=None).invoke(
        {"question": q.text, "documents": [chunk], "reports": {"r": report}})
    assert not ev.missing
    assert any("luật bảo" in s.entities for s in ev.sentences)


def test_which_reports_questions_cite_each_report_with_its_opening(seed_index):
    answer = seed_index.ask("Ban Tổ chức Tỉnh ủy Quảng Nam được nhắc đến trong những hội nghị nào?")
    assert not answer.refused
    by_report = {}
    for c in answer.citations:
        by_report.setdefault(c.doc_id, []).append(c.quote)
    assert set(by_report) == {"001_94090ceb8c428316", "003_838962f970cd0743"}
    for quotes in by_report.values():  # the sentence naming Quảng Nam, and the one naming the event
        assert any("Quảng Nam" in q for q in quotes)
        assert any(q.startswith(("Ngày", "Chiều")) for q in quotes)


def test_a_lead_in_before_a_colon_names_what_its_clauses_state():
    """"Qua khảo sát của X cho thấy tỷ lệ …, cụ thể: năm 2012 là 19%, …, năm 2018 lên 47%.": the
    number stands in a clause after the colon, X in the lead-in, and the sentence states both."""
    from langchain_core.documents import Document

    from rag.answer.evidence import EvidenceStep
    from rag.retrieval.store import Report

    sentence = ("Qua khảo sát của INTOSAI cho thấy tỷ lệ các quốc gia quy định cụ thể về vai trò của cơ quan "
                "kiểm toán đối với kiểm toán môi trường ngày càng gia tăng, cụ thể: năm 2012 là 19%, năm 2015 "
                "là 22% và đặc biệt năm 2018 tăng mạnh lên 47%.")
    text = f"Báo cáo đề tài\n{sentence}"
    report = Report("r", text, {"title": "Báo cáo đề tài", "chunk_starts": "0"})
    chunk = Document(text, metadata={"doc_id": "r", "chunk_id": "r:000", "start": 0, "end": len(text)})
    ev = EvidenceStep(idf=lambda t: 1.0, similarity=None).invoke({
        "question": "Theo khảo sát của INTOSAI, tỷ lệ quốc gia quy định vai trò của cơ quan kiểm toán đối với "
                    "kiểm toán môi trường năm 2018 là bao nhiêu?",
        "documents": [chunk], "reports": {"r": report}})
    found = next(s for s in ev.sentences if s.text == sentence)
    assert found.parts and found.states_kind and found.states_kind_with_names


@pytest.mark.parametrize("sentence, counts", [
    ("Mỗi thí sinh chỉ được đăng ký 01 (một) nguyện vọng xét tuyển.", True),  # the number spelled out after it
    ("Mỗi thí sinh chỉ được đăng ký 01 nguyện vọng xét tuyển.", True),
    ("Thí sinh có nguyện vọng đăng ký xét tuyển liên hệ Công an nơi sơ tuyển.", False),
])
def test_a_count_is_stated_with_its_number_spelled_out_in_brackets(sentence, counts):
    from rag.answer.kinds import states_kind

    question = analyze("Mỗi thí sinh được đăng ký bao nhiêu nguyện vọng?")
    assert states_kind(sentence, question) is counts


@pytest.mark.parametrize("sentence, states", [
    ("Thí sinh đăng ký xét tuyển theo Phương thức 2, Phương thức 3 năm 2025.", False),  # labels, a year
    ("Căn cứ Công văn số 3838/X02-P2 ngày 21/8/2025 của Cục Đào tạo.", False),  # a document's number, a date
    ("4. Thời gian, địa điểm tiếp nhận hồ sơ", False),  # a list marker
    ("Lệ phí thực hiện tương tự như năm 2024.", False),
    ("Điểm chuẩn Phương thức 3 là 23,5 điểm.", True),
    ("Mỗi thí sinh nộp 180.000 đồng.", True),
])
def test_how_much_is_not_answered_by_years_labels_or_document_numbers(sentence, states):
    from rag.answer.kinds import states_kind

    question = analyze("Điểm chuẩn trúng tuyển Phương thức 3 năm 2025 là bao nhiêu?")
    assert question.kind == "number" and not question.counted
    assert states_kind(sentence, question) is states


def test_a_numbered_part_is_one_entity_the_answer_must_sit_in():
    question = analyze("Theo Phụ lục 02, năm 2020 Vùng 9 (văn bằng 2) có quyết toán bao nhiêu?")
    assert {"phụ lục 02", "vùng 9"} <= set(question.entities)
    assert not {"phụ", "vùng", "bảng 2"} & set(question.entities)  # "văn bằng" is no "bảng"
    assert "phụ lục 02" not in question.event_entities  # stated where the answer is, not anywhere
    section = analyze("Mục 2.4 trong Chương 2 gồm những tiểu mục nào?")
    assert section.spellings("mục 2.4") == ("mục 2.4", "2.4")  # the heading "2.4 Các giải pháp khác"
    assert section.spellings("chương 2") == ("chương 2", "chương ii")


@pytest.mark.parametrize("row, counts", [
    ("1 - Vùng 12 (Long An) — Chỉ tiêu: 50; Phương thức tuyển sinh: xét tuyển thẳng", True),  # the column named so
    ("2 - Vùng 6 — Năm 2023 / Chỉ tiêu: 67; Năm 2023 / Số nhập học: 60", True),
    ("Vùng 4 — Ghi chú: 5 tỉnh", False),
])
def test_a_count_is_stated_by_a_row_whose_column_is_named_by_the_counted_noun(row, counts):
    from rag.answer.kinds import states_kind

    question = analyze("Năm 2025 dành bao nhiêu chỉ tiêu cho Vùng 12 (Long An)?")
    assert states_kind(row, question) is counts


@pytest.mark.parametrize("question", ["Email tuyển sinh của trường là gì?", "Số điện thoại liên hệ của phòng đào tạo là bao nhiêu?",
                                      "So dien thoai cua phong dao tao la bao nhieu?"])
def test_an_email_or_a_phone_number_asks_for_a_contact(question):
    from rag.answer.kinds import states_kind

    asked = analyze(question)
    assert asked.kind == "contact"
    assert states_kind("- Email tuyển sinh: tuyensinh04@gmail.com.", asked)
    assert states_kind("Đ/c Thiếu tá Tạ Ngọc Thành, SĐT: 0975.955.717", asked)
    assert not states_kind("Trường thông báo tuyển sinh năm 2025 như sau:", asked)


def test_a_plain_capital_of_an_accented_question_used_by_most_reports_is_no_name():
    widespread = {"an": 0.9, "hòa": 0.1}
    asked = analyze("Email của Trường Đại học An ninh nhân dân là gì?", lambda w: widespread.get(w.lower(), 0.0))
    assert "an" not in asked.entities  # "An ninh", "Công an": in every report, it tells none apart


@pytest.mark.parametrize("sentence, names", [
    ("II. TUYỂN SINH ĐẠI HỌC CHÍNH QUY TUYỂN MỚI", False),  # a heading in capitals is no byline
    ("Bộ Công an ban hành Quyết định số 2061/QĐ-BCA.", False),
    ("MINH AN – THU HÀ", True),
    ("Trưởng khoa là bác sĩ Lý Văn Sang.", True),
])
def test_a_person_is_named_by_a_title_a_surname_or_a_byline(sentence, names):
    from rag.answer.kinds import states_kind

    assert states_kind(sentence, analyze("Ai phụ trách tuyển sinh?")) is names


def test_how_many_of_a_counted_noun_is_answered_by_the_column_that_counts_it():
    from rag.answer.table_cells import asked_cells

    row = ("2 7860100 — Mã ngành: 7860100; Tên ngành: Nghiệp vụ an ninh; Chỉ tiêu: 235; "
           "Phương thức tuyển sinh: Phương thức 2")
    _, cells = asked_cells(row, "Phương thức 2 ngành Nghiệp vụ an ninh (mã 7860100) được giao bao nhiêu chỉ tiêu?")
    assert [c.header for c in cells] == ["Chỉ tiêu"]  # not every column the question happens to name
    years = "2. 7860100 — Năm 2023 / Chỉ tiêu: 26; Năm 2023 / Số nhập học: 08; Năm 2024 / Chỉ tiêu: 24"
    _, cells = asked_cells(years, "Năm 2024 có bao nhiêu chỉ tiêu?")
    assert [c.value for c in cells] == ["24"]


def test_a_row_whose_columns_are_other_years_is_about_another_year():
    from rag.answer.evidence import _about_another_year

    row = "2. 7860100 — Năm 2023 / Chỉ tiêu: 26; Năm 2024 / Chỉ tiêu: 24"
    assert _about_another_year(row, "", analyze("Năm 2025 ngành này có bao nhiêu chỉ tiêu?"))
    assert not _about_another_year(row, "", analyze("Năm 2024 ngành này có bao nhiêu chỉ tiêu?"))
