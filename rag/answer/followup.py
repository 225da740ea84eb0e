"""Follow-up questions resolved against the conversation before retrieval.

"Còn tỉnh nào khác?" or "Ông ấy giữ chức vụ gì?" only make sense after a first
question. The extractive default rewrites them from what the previous turn was
about; with an LLM configured, `LLMFollowupRewriter` has the model rewrite them from the
previous question and answer (falling back to the rule when the model's rewrite is unusable).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.citations import MARKER
from rag.answer.kinds import person_names, points_back
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


def leans_on_previous(question: str, history: list[Turn]) -> bool:
    """A short question with a pronoun ("ông ấy") or an opener ("Còn …", "… khác?") after a first turn."""
    folded = fold(question).strip()
    return bool(history) and len(folded.split()) <= _MAX_FOLLOWUP_WORDS and bool(
        _PRONOUN.search(folded) or _LEANING.search(folded) or points_back(question))


def rewrite_followup(question: str, history: list[Turn]) -> str:
    """The question made standalone, or unchanged when it already stands alone."""
    if not leans_on_previous(question, history):
        return question
    previous = history[-1]
    folded = fold(question).strip()
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


# What a model may put before the question it was asked to write
_PREFIX = re.compile(r"^\s*(?:(?:assistant|user|trợ lý|người dùng|câu hỏi(?: đầy đủ| viết lại| mới)?|question)\s*:\s*)+",
                     re.IGNORECASE)


def clean_rewrite(text: str) -> str:
    """The model's rewrite as a bare question: first line, no role or label prefix, no quotes."""
    line = next((ln for ln in text.strip().splitlines() if ln.strip()), "")
    return _PREFIX.sub("", line).strip().strip("\"“”'«»").strip()


class LLMFollowupRewriter:
    """Rewrites a follow-up into a standalone question from the previous question and answer."""

    def __init__(self, chat) -> None:
        self.chat = chat

    def __call__(self, question: str, history: list[Turn]) -> str:
        if not leans_on_previous(question, history):
            return question
        from rag.answer.generated import followup_prompt

        previous = history[-1]
        answer = MARKER.sub("", previous.answer)
        messages = followup_prompt().format_messages(
            previous_question=previous.question, previous_answer=answer, question=question)
        rewritten = clean_rewrite(str(self.chat.invoke(messages).content))
        # unusable (empty, a whole answer, the question unchanged): the rule still resolves it
        if not rewritten or len(rewritten) > 3 * len(question) + 120 or rewritten == question:
            return rewrite_followup(question, history)
        return rewritten
