"""Questions nobody should type, typed anyway: each gets a clear error or a normal (possibly
refused) answer, never a traceback. The chain and the CLI here; the chat and the `/ask` API in
test_ui.py."""
from __future__ import annotations

import json

import pytest

from rag.chain import QuestionError

from .test_cli import run

# (question, the error it gets; None: an answer, refused or not)
ODD = [
    ("", "empty question"),
    (" \n\t  ", "empty question"),
    ("\u200b\u200b\ufeff", "empty question"),  # only invisible characters
    ("x" * 100_000, "too long"),
    ("?!…,.; -- ***", "no words"),
    ("Cụm thi đua số 2 gồm bao nhiêu tỉnh?\x00\x07\x1b[31m", None),  # control characters, a colour code
    ("'; DROP TABLE reports; --", None),
    ("<script>alert(1)</script><img src=x onerror=alert(2)>", None),
    ("🤔🤔 Cụm thi đua số 2 gồm bao nhiêu tỉnh? 🎉👍🏽", None),
    ("Cụm thi đua số 2 会议 конференция how many provinces?", None),  # mixed scripts
    ("ما هو المؤتمر؟ \u202eCụm thi đua số 2\u202c", None),  # right-to-left, a bidi override
]


@pytest.mark.parametrize("question, error", ODD, ids=[f"q{i}" for i in range(len(ODD))])
def test_the_chain_answers_or_says_why(seed_index, question, error):
    if error:
        with pytest.raises(QuestionError, match=error) as caught:
            seed_index.ask(question)
        assert caught.value.vi  # the chat's Vietnamese message
        return
    answer = seed_index.ask(question)
    assert answer.answer and (answer.refused or answer.citations)
    for c in answer.citations:
        assert c.quote == seed_index.store.report(c.doc_id).text[c.start : c.end]
    assert not any(ch in answer.question for ch in "\x00\x07\x1b\u202e\u200b")  # what was asked, cleaned


def test_the_invisible_characters_do_not_change_the_answer(seed_index):
    plain = seed_index.ask("Cụm thi đua số 2 gồm bao nhiêu tỉnh?")
    noisy = seed_index.ask("Cụm thi đua số 2\u200b gồm bao nhiêu tỉnh?\x1b[0m\x00")
    assert not plain.refused and "14" in plain.answer and noisy.answer == plain.answer


def test_the_cli_answers_or_exits_2_with_the_reason(seed_index):
    home = seed_index.settings.home
    for question, error in ODD:
        result = run("ask", question.replace("\x00", ""), "--json", home=home)  # argv cannot hold NUL
        assert "Traceback" not in result.stderr
        if error:
            assert result.returncode == 2 and error in result.stderr and result.stdout == "", (question, result.stderr)
        else:
            assert result.returncode == 0, (question, result.stderr)
            assert set(json.loads(result.stdout)) >= {"answer", "refused", "citations"}
