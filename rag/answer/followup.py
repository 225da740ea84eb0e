"""Follow-up questions resolved against the conversation before retrieval.

"Còn tỉnh nào khác?" or "Ông ấy giữ chức vụ gì?" only make sense after a first
question. The extractive default rewrites them from what the previous turn was
about; an LLM rewriter can replace `rewrite_followup` behind the same signature.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.kinds import person_names
from rag.text.normalize import fold

# Pronouns and openers that lean on the previous turn (matched on the folded question).
_PRONOUN = re.compile(r"\b(ong ay|ba ay|dong chi ay|nguoi do|nguoi nay|ho|he|she|they|him|her)\b")
_LEANING = re.compile(
    r"^(con|the con|va|vay|con ve|what about|and|how about)\b|\b(khac|nua|do|nay|ay|kia|it|that|there)\b\W*$"
)
_MAX_FOLLOWUP_WORDS = 10


@dataclass(frozen=True)
class Turn:
    question: str  # as resolved
    answer: str
    refused: bool


def rewrite_followup(question: str, history: list[Turn]) -> str:
    """The question made standalone, or unchanged when it already stands alone."""
    if not history:
        return question
    previous = history[-1]
    folded = fold(question).strip()
    if len(folded.split()) > _MAX_FOLLOWUP_WORDS:
        return question
    pronoun = _PRONOUN.search(folded)
    if pronoun and not previous.refused:
        names = [n for n in person_names(previous.answer) if fold(n) not in fold(previous.question)]
        if names and re.search(r"\b(duoc|nhan)\b", fold(previous.question)):
            names.reverse()  # "Ai được trao …?": the receiver is named last ("… cho đồng chí X")
        if names:
            start, end = pronoun.span()
            # the folded and the original question have the same length: replace in place
            return question[:start] + names[0] + question[end:]
    if pronoun or _LEANING.search(folded):
        return f"{previous.question} {question}"
    return question
