"""List questions ("… gồm những loại nào?") on reports laid out as files are: a lead-in line ending
in ":" followed by "- " items, or a list numbered inside one sentence."""
from __future__ import annotations

import math

from langchain_core.documents import Document

from rag.answer.evidence import EvidenceStep
from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.question import analyze
from rag.retrieval.store import Report
from rag.text.sentences import split
from rag.text.tokens import lexical_tokens

# a list under a line ending in ":" (a PDF's "b) … gồm các loại:" then "- …" lines)
KINDS_ITEMS = ["- Bằng chứng dạng vật chất;", "- Bằng chứng dạng lời nói;", "- Bằng chứng dạng tài liệu."]
KINDS = Report(
    "evidence-kinds",
    "\n".join(["Sổ tay thanh tra viên", "a) Bằng chứng thanh tra là tài liệu làm căn cứ kết luận.",
               "b) Bằng chứng thanh tra gồm các loại:", *KINDS_ITEMS, "c) Thanh tra viên tự thu thập bằng chứng."]),
    {"title": "Sổ tay thanh tra viên", "chunk_starts": "0"},
)
# the list numbered inside one sentence, which says it better than a section's items below it
SOLUTIONS_SENTENCE = ("Đề tài đã đề xuất 3 nhóm giải pháp chính gồm: (1) hoàn thiện quy trình thanh tra; "
                      "(2) đào tạo thanh tra viên; (3) hoàn thiện yếu tố kỹ thuật.")
SOLUTIONS = Report(
    "solutions",
    "\n".join(["Báo cáo tổng kết đề tài", SOLUTIONS_SENTENCE, "2.1. Các văn bản hướng dẫn thanh tra bao gồm:",
               "- Hướng dẫn tiếp cận dựa trên rủi ro;", "- Hệ thống hồ sơ mẫu biểu."]),
    {"title": "Báo cáo tổng kết đề tài", "chunk_starts": "0"},
)
# a chapter whose sub-headings have paragraphs between them, then the next chapter
CHAPTER_PARTS = ["2.1. Định hướng hoàn thiện công tác thanh tra", "2.2. Giải pháp hoàn thiện công tác thanh tra.",
                 "2.3. Lộ trình thực hiện"]  # a sub-heading may end in a full stop
CHAPTER = Report(
    "chapter",
    "\n\n".join(["Báo cáo đề tài thanh tra", "CHƯƠNG II: GIẢI PHÁP HOÀN THIỆN CÔNG TÁC THANH TRA", CHAPTER_PARTS[0],
                   "Công tác thanh tra cần được đổi mới theo hướng chuyên nghiệp.", CHAPTER_PARTS[1],
                   "2.2.1. Hoàn thiện quy trình", "Quy trình thanh tra được rà soát hằng năm.", CHAPTER_PARTS[2],
                   "CHƯƠNG III: ĐIỀU KIỆN THỰC HIỆN", "3.1. Điều kiện về nhân lực"]),
    {"title": "Báo cáo đề tài thanh tra", "chunk_starts": "0"},
)
# items marked "(1)", "(2)" under a lead-in line, as Word numbers them
DUTIES_ITEMS = ["(1) Tiền kiểm: tham gia xem xét dự toán ngân sách.", "(2) Hậu kiểm: thực hiện kế hoạch thanh tra hằng năm."]
# a lead-in that ends "như sau" with no colon, then "+ " items
FLAWS_ITEMS = ["+ Phân bổ dự toán không đúng đối tượng", "+ Quyết toán không hết nguồn kinh phí"]
FLAWS = Report(
    "flaws",
    "\n\n".join(["Kết quả thanh tra ngân sách", "Những sai sót phổ biến được phát hiện qua thanh tra như sau",
                   *FLAWS_ITEMS, "1.3. Nguyên nhân"]),
    {"title": "Kết quả thanh tra ngân sách", "chunk_starts": "0"},
)
DUTIES = Report(
    "duties",
    "\n\n".join(["Quy định về thanh tra ngân sách", "Theo đó, nhiệm vụ của thanh tra trong khâu dự toán gồm 02 nội dung:",
                   *DUTIES_ITEMS, "1.2. Mục tiêu thanh tra"]),
    {"title": "Quy định về thanh tra ngân sách", "chunk_starts": "0"},
)
_SENTENCES = [frozenset(lexical_tokens(s)) for r in (KINDS, SOLUTIONS, CHAPTER, DUTIES, FLAWS) for s in split(r.text)]


def _idf(token: str) -> float:
    df = sum(token in s for s in _SENTENCES)
    return math.log(1 + (len(_SENTENCES) - df + 0.5) / (df + 0.5)) if df else 0.0


def _answer(question: str, report: Report):
    chunk = Document(report.text, metadata={"doc_id": report.doc_id, "chunk_id": f"{report.doc_id}:000",
                                            "start": 0, "end": len(report.text)})
    ev = EvidenceStep(idf=_idf, similarity=None).invoke(
        {"question": question, "documents": [chunk], "reports": {report.doc_id: report}})
    result = ExtractiveAnswerer().invoke(ev)
    assert all(report.text[c.start:c.end] == c.quote for c in result.citations)
    return result


def test_any_plural_noun_asked_for_is_a_list_question():
    assert analyze("Bằng chứng thanh tra được chia thành những loại nào?").kind == "list"
    assert analyze("Hồ sơ đăng ký gồm những giấy tờ gì?").kind == "list"
    assert analyze("Thanh tra viên có thể chọn những phương pháp tiếp cận nào?").kind == "list"
    assert analyze("Hồ sơ nộp vào ngày nào?").kind == "date"  # a single thing is no list


def test_which_kinds_is_answered_with_the_items_under_the_lead_in():
    result = _answer("Bằng chứng thanh tra được chia thành những loại nào?", KINDS)
    assert result.reason == "kind=list (the items of a section)"
    assert [c.quote for c in result.citations] == KINDS_ITEMS


def test_a_sentence_numbering_the_list_asked_for_beats_a_sections_items():
    result = _answer("Đề tài đã đề xuất những nhóm giải pháp chính nào?", SOLUTIONS)
    assert result.reason.startswith("kind=list") and "items of a section" not in result.reason
    assert [c.quote for c in result.citations] == [SOLUTIONS_SENTENCE]


def test_a_row_answers_with_the_cells_of_the_year_asked():
    from rag.answer.table_cells import asked_cells

    row = ("Vùng 6 — Năm 2023 / Chỉ tiêu: 76; Năm 2023 / Số nhập học: 75; "
           "Năm 2024 / Chỉ tiêu: 77; Năm 2024 / Số nhập học: 77")
    label, cells = asked_cells(row, "Năm 2023 Vùng 6 có chỉ tiêu và số nhập học là bao nhiêu?")
    assert label == "Vùng 6"
    assert [(c.header, c.value) for c in cells] == [("Năm 2023 / Chỉ tiêu", "76"), ("Năm 2023 / Số nhập học", "75")]


def test_which_parts_of_a_chapter_is_answered_with_its_sub_headings():
    result = _answer("Chương 2 của báo cáo gồm những mục nào?", CHAPTER)
    assert result.reason == "kind=list (the items of a section)"
    assert [c.quote for c in result.citations] == CHAPTER_PARTS  # not 2.2.1, not chapter III's 3.1


def test_items_numbered_in_brackets_under_a_lead_in_are_the_list():
    result = _answer("Nhiệm vụ của thanh tra trong khâu dự toán gồm những nội dung nào?", DUTIES)
    assert result.reason == "kind=list (the items of a section)"
    assert [c.quote for c in result.citations] == DUTIES_ITEMS


def test_a_lead_in_ending_nhu_sau_without_a_colon_is_answered_with_its_items():
    question = "Những nhóm sai sót phổ biến được phát hiện qua thanh tra ngân sách là những sai sót nào?"
    assert analyze(question).kind == "list"  # seven words between "những" and "nào"
    result = _answer(question, FLAWS)
    assert [c.quote for c in result.citations] == FLAWS_ITEMS
