"""Follow-up questions made standalone: by rule (the default) and the cleaning of a model's rewrite.
The model's own rewrite runs in tests/test_generated.py."""
from __future__ import annotations

import pytest

from rag.answer.followup import Turn, clean_rewrite, leans_on_previous, rewrite_followup

FIRST = Turn("Ai cắt băng khai trương khoa Nhi?", "Người cắt băng là bác sĩ Trần Minh Khôi, Giám đốc bệnh viện. [1]",
             False)


def test_a_pronoun_becomes_the_person_the_previous_answer_named():
    assert rewrite_followup("Ông ấy giữ chức vụ gì?", [FIRST]) == "Trần Minh Khôi giữ chức vụ gì?"


def test_a_demonstrative_after_a_noun_points_back():
    assert leans_on_previous("Khoa đó có bao nhiêu giường bệnh?", [FIRST])
    assert not leans_on_previous("Hội nghị do ai tổ chức?", [FIRST])  # "do" here is "by"


def test_an_opener_carries_the_previous_question_along():
    assert rewrite_followup("Còn khoa Sơ sinh?", [FIRST]) == f"{FIRST.question} Còn khoa Sơ sinh?"


@pytest.mark.parametrize("question, history", [
    ("Ông ấy giữ chức vụ gì?", []),  # nothing before it
    ("Bệnh viện Đa khoa Thiện Tâm khai trương khoa Nhi ở huyện nào của tỉnh vào ngày nào?", [FIRST]),  # long
    ("Khoa Nhi có bao nhiêu giường bệnh?", [FIRST]),  # stands alone
])
def test_a_question_that_stands_alone_is_left_as_it_is(question, history):
    assert not leans_on_previous(question, history)
    assert rewrite_followup(question, history) == question


@pytest.mark.parametrize("raw", [
    "Trần Minh Khôi giữ chức vụ gì?",
    "Câu hỏi: Trần Minh Khôi giữ chức vụ gì?",
    "assistant: Câu hỏi viết lại: “Trần Minh Khôi giữ chức vụ gì?”",
    "\n  Trợ lý: \"Trần Minh Khôi giữ chức vụ gì?\"\nĐây là câu hỏi đầy đủ.",
])
def test_a_models_rewrite_is_stripped_of_role_and_label_prefixes(raw):
    assert clean_rewrite(raw) == "Trần Minh Khôi giữ chức vụ gì?"
