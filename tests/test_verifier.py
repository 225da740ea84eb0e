"""The verifier on hand-written generated answers: each kind of error a small model makes.

The passages are invented sentences (people, places and numbers made up here), as the
evidence step would hand them over; no model runs in this file.
"""
from __future__ import annotations

import pytest

from rag.answer.evidence import Neighbour, Part, SentenceEvidence
from rag.answer.verifier import Passage, facts, split_generated, verify

TITLE = "Bệnh viện Đa khoa Thiện Tâm khai trương khoa Nhi"
REPORT = (
    TITLE + "\n"
    "Ngày 12/3/2024, Bệnh viện Đa khoa Thiện Tâm khai trương khoa Nhi tại huyện Phú Lạc. "
    "Người cắt băng là bác sĩ Trần Minh Khôi, Giám đốc bệnh viện. "
    "Khoa có 32 giường bệnh và 9 máy thở; khoa tiếp nhận 1.250 lượt khám trong tháng đầu; "
    "bệnh viện dự kiến mở thêm khoa Sơ sinh vào năm 2025. "
    "Khoa chưa có phòng mổ riêng và nhận trẻ từ các xã ngoài huyện Phú Lạc."
)


def _sentence(text: str, entities: frozenset[str] = frozenset(), parts: tuple[Part, ...] = ()) -> SentenceEvidence:
    start = REPORT.index(text)
    return SentenceEvidence(
        doc_id="ward", title=TITLE, chunk_id="ward:000", start=start, end=start + len(text), text=text, rank=0,
        coverage=1.0, concept=1.0, similarity=None, similarity_z=None, states_kind=True, holds_list=False,
        entities=entities, previous=None, following=None, parts=parts,
    )


OPENING = "Ngày 12/3/2024, Bệnh viện Đa khoa Thiện Tâm khai trương khoa Nhi tại huyện Phú Lạc."
CUTTER = "Người cắt băng là bác sĩ Trần Minh Khôi, Giám đốc bệnh viện."
BEDS = ("Khoa có 32 giường bệnh và 9 máy thở; khoa tiếp nhận 1.250 lượt khám trong tháng đầu; "
        "bệnh viện dự kiến mở thêm khoa Sơ sinh vào năm 2025.")
_BEDS_AT = REPORT.index(BEDS)
_FIRST_CLAUSE = BEDS.index(";")
BEDS_PARTS = (Part(_BEDS_AT, _BEDS_AT + _FIRST_CLAUSE, 0.9, True),)  # "Khoa có 32 giường bệnh và 9 máy thở"
NOT_YET = "Khoa chưa có phòng mổ riêng và nhận trẻ từ các xã ngoài huyện Phú Lạc."
PASSAGES = [
    Passage(1, _sentence(OPENING)),
    Passage(2, _sentence(CUTTER)),
    Passage(3, _sentence(BEDS, parts=BEDS_PARTS)),
    Passage(4, _sentence(NOT_YET)),
]


def _only(generated: str, passages=PASSAGES, entities=()):
    [checked] = verify(generated, passages, entities)
    return checked


def test_a_supported_sentence_keeps_its_marker_and_is_narrowed_to_its_clause():
    c = _only("Khoa Nhi có 32 giường bệnh và 9 máy thở [3].")
    assert c.verified and c.passage.marker == 3 and c.note == ""
    assert REPORT[c.start : c.end] == "Khoa có 32 giường bệnh và 9 máy thở"


def test_a_wrong_number_is_dropped():
    c = _only("Khoa Nhi có 34 giường bệnh [3].")
    assert not c.verified and c.passage is None
    assert "'34 giường' is not in passage [3]" in c.note


def test_a_number_written_differently_is_not_the_same_number():
    c = _only("Khoa tiếp nhận 1250 lượt khám trong tháng đầu [3].")  # the passage writes 1.250
    assert not c.verified


def test_a_wrong_name_is_dropped():
    c = _only("Người cắt băng là bác sĩ Trần Minh Khoa [2].")
    assert not c.verified and "Trần Minh Khoa" in c.note


def test_a_title_before_a_name_is_not_part_of_it():
    assert _only("Ông Trần Minh Khôi cắt băng khai trương [2].").verified


def test_a_near_miss_subject_is_dropped():
    # the question asked about another hospital; the passage's report does not name it
    passages = [Passage(n, _sentence(p.sentence.text, entities=frozenset())) for n, p in enumerate(PASSAGES, 1)]
    c = _only("Người cắt băng khoa Nhi của Bệnh viện Hòa Bình là bác sĩ Trần Minh Khôi [2].", passages,
              entities=("bệnh viện hòa bình",))
    assert not c.verified and "is not about bệnh viện hòa bình" in c.note


def test_a_name_the_report_states_elsewhere_counts_for_its_passage():
    passages = [Passage(2, _sentence(CUTTER, entities=frozenset({"bệnh viện đa khoa thiện tâm"})))]
    c = _only("Tại Bệnh viện Đa khoa Thiện Tâm, người cắt băng là bác sĩ Trần Minh Khôi [2].", passages,
              entities=("bệnh viện đa khoa thiện tâm",))
    assert c.verified


def test_a_question_about_two_reports_needs_one_of_its_names_per_sentence():
    named = ("khoa nhi", "khoa sơ sinh")
    passages = [
        Passage(1, _sentence(CUTTER, entities=frozenset({"khoa nhi"}))),
        Passage(2, _sentence(OPENING, entities=frozenset())),
    ]
    # no passage states both: a sentence citing a passage about one of them holds, about neither does not
    assert _only("Người cắt băng là bác sĩ Trần Minh Khôi [1].", passages, entities=named).verified
    c = _only("Ngày 12/3/2024, bệnh viện khai trương khoa [2].", passages, entities=named)
    assert not c.verified and "is not about khoa nhi, khoa sơ sinh" in c.note


def test_a_fabricated_marker_is_re_cited_to_the_passage_that_supports_it():
    c = _only("Lễ khai trương diễn ra ngày 12/3/2024 [9].")
    assert c.verified and c.passage.marker == 1
    assert c.note.startswith("re-cited") and "[9] was not given" in c.note


def test_a_sentence_without_a_marker_gets_one():
    c = _only("Người cắt băng là bác sĩ Trần Minh Khôi.")
    assert c.verified and c.passage.marker == 2 and c.note == "re-cited: no marker"


def test_a_claim_cited_to_the_wrong_passage_is_re_cited():
    c = _only("Người cắt băng là bác sĩ Trần Minh Khôi [3].")
    assert c.verified and c.passage.marker == 2 and c.note.startswith("re-cited")


def test_an_invented_sentence_around_true_names_is_dropped():
    c = _only("Bác sĩ Trần Minh Khôi từng du học nhiều năm ở nước ngoài và được nhân dân yêu mến [2].")
    assert not c.verified and "of its words are in passage" in c.note


def test_a_sentence_restating_the_question_is_dropped():
    c = _only("Khoa Nhi có bao nhiêu giường bệnh và máy thở [3].")
    assert not c.verified and "restates the question" in c.note


def test_each_sentence_is_judged_alone():
    checked = verify("Người cắt băng là bác sĩ Trần Minh Khôi [2]. Khoa có 40 máy thở [3].", PASSAGES)
    assert [c.verified for c in checked] == [True, False]


@pytest.mark.parametrize("text, expected", [
    ("A có 3 người [1]. B ở Hà Nội [2].", [("A có 3 người", [1]), ("B ở Hà Nội", [2])]),
    ("A có 3 người. [1] B ở Hà Nội. [2]", [("A có 3 người.", [1]), ("B ở Hà Nội.", [2])]),
    ("A có 3 người. B ở Hà Nội. [1], [2]", [("A có 3 người.", []), ("B ở Hà Nội.", [1, 2])]),
    ("Hội nghị tại TP. Vĩnh Yên [1].", [("Hội nghị tại TP. Vĩnh Yên", [1])]),
    ("Không có dấu.", [("Không có dấu.", [])]),
])
def test_generated_text_is_split_into_sentences_with_their_markers(text, expected):
    assert split_generated(text) == expected


def test_facts_are_names_numbers_dates_and_codes():
    found = facts("Ngày 12/3/2024, ông Trần Minh Khôi báo cáo HĐND huyện về 1.250 lượt khám.")
    assert {"12/3/2024", "Trần Minh Khôi", "HĐND", "1.250"} <= set(found)


def test_a_fact_only_in_the_sentence_before_does_not_count_for_the_passage():
    # the passage after the one stating the date is not a citation for the date
    previous = Neighbour(0, len(OPENING), OPENING)
    s = _sentence(CUTTER)
    passage = Passage(1, SentenceEvidence(**{**s.__dict__, "previous": previous}))
    assert not _only("Ngày 12/3/2024, bác sĩ Trần Minh Khôi cắt băng [1].", [passage]).verified


@pytest.mark.parametrize("generated, dropped", [
    ("Khoa có phòng mổ riêng [4].", "'chưa' before 'có phòng'"),
    ("Khoa nhận trẻ từ các xã huyện Phú Lạc [4].", "'ngoài' before 'huyện phú'"),
])
def test_a_sentence_that_drops_a_negation_of_its_passage_is_misread(generated, dropped):
    c = _only(generated)
    assert not c.verified and c.misread
    assert dropped in c.note


@pytest.mark.parametrize("generated", [
    "Khoa chưa có phòng mổ riêng [4].",
    "Khoa không có phòng mổ riêng [4].",  # another negation says the same
    "Khoa nhận trẻ từ các xã ngoài huyện Phú Lạc [4].",
])
def test_a_sentence_keeping_the_negation_holds(generated):
    c = _only(generated)
    assert c.verified and not c.misread and c.passage.marker == 4


def test_a_number_phrase_repeated_from_the_question_needs_only_the_number_in_the_passage():
    generated = "Kế hoạch năm 2025 của bệnh viện là mở thêm khoa Sơ sinh [3]."
    [c] = verify(generated, PASSAGES, (), "Kế hoạch năm 2025 của bệnh viện là gì?")
    assert c.verified and c.passage.marker == 3
    [c] = verify(generated, PASSAGES, (), "Bệnh viện dự kiến làm gì?")  # the phrase is the model's own
    assert not c.verified and "'năm 2025 của' is not in passage [3]" in c.note
    wrong_year = "Kế hoạch năm 2026 của bệnh viện là mở thêm khoa Sơ sinh [3]."
    [c] = verify(wrong_year, PASSAGES, (), "Kế hoạch năm 2026 của bệnh viện là gì?")  # a near-miss year
    assert not c.verified
