"""A table row answers with the cell asked for: the row's label, then the cell(s) whose column the
question names ("Kết nạp đảng viên mới — Thực hiện 6 tháng: 143"), the row itself cited.

Rows are laid out at ingest as "label — Header: value; Header: value" (`rag/ingest/blocks.py`).
A question asking what was done ("đã … bao nhiêu", "thực hiện") is not answered from a column of
targets ("kế hoạch", "chỉ tiêu") unless it names that column, and the other way round; the
words of each side are the language profile's [tables].
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.normalize import fold, words
from rag.text.profile import profile
from rag.text.tokens import lexical_tokens

_ROW = re.compile(r"^(?P<label>[^\n—]{1,200}) — (?P<cells>[^\n]+)$")


@dataclass(frozen=True)
class Cell:
    header: str
    value: str
    start: int  # the value's offsets in the row's text
    end: int


def parse_row(text: str) -> tuple[str, list[Cell]] | None:
    """(label, cells) of a laid-out table row; None for any other sentence."""
    match = _ROW.match(text)
    if not match:
        return None
    cells, at = [], match.start("cells")
    for part in match.group("cells").split("; "):
        header, sep, value = part.partition(": ")
        if sep and value.strip():
            offset = at + len(header) + 2
            cells.append(Cell(header.strip(), value.strip(), offset, offset + len(value.rstrip())))
        at += len(part) + 2
    return (match.group("label"), cells) if cells else None


def _side(words: str, vocabulary: tuple[str, ...]) -> bool:
    return any(re.search(rf"\b{re.escape(w)}\b", words) for w in vocabulary)


def asked_cells(text: str, question: str) -> tuple[str, list[Cell]] | None:
    """The row's label and the cells whose column the question names best; None when the
    sentence is not a row or the question names none of its columns."""
    parsed = parse_row(text)
    if parsed is None:
        return None
    label, cells = parsed
    tables = profile().tables
    asked = set(lexical_tokens(question)) - set(lexical_tokens(label))
    q = fold(question)
    wants_plan, wants_done = _side(q, tables["plan_words"]), _side(q, tables["done_words"])
    # "bao nhiêu chỉ tiêu": the column that counts it, holding a number (of the asked year, if named)
    counted = _counted_words(q)
    counting = [c for c in cells if counted and counts_in_column(c, counted)]
    if counting:
        return label, [c for c in counting if _names_every_level(c.header, q)] or counting[:1]
    scored = []
    for cell in cells:
        head = fold(cell.header)
        score = len(asked & set(lexical_tokens(cell.header)))
        plan, done = _side(head, tables["plan_words"]), _side(head, tables["done_words"])
        if wants_done and not wants_plan and plan and not done:
            score -= 2  # "đã kết nạp bao nhiêu" is not answered by the target column
        if wants_plan and not wants_done and done and not plan:
            score -= 2
        if (wants_plan and plan) or (wants_done and done):
            score += 1
        scored.append((score, cell))
    # "năm 2023 … có chỉ tiêu và số nhập học": every cell whose column the question names in
    # each of its header's levels ("Năm 2023 / Chỉ tiêu", "Năm 2023 / Số nhập học"), not the best one
    named = [c for s, c in scored if s > 0 and _names_every_level(c.header, q)]
    if len(named) > 1:
        return label, named
    best = max((s for s, _ in scored), default=0)
    if best <= 0:
        return None
    return label, [c for s, c in scored if s == best]


def counts_in_column(cell: Cell, counted: list[str]) -> bool:
    """The cell holds a number in a column named by the counted noun ("Năm 2023 / Chỉ tiêu: 67" for
    "bao nhiêu chỉ tiêu"; `counted`: its first folded words)."""
    return fold(cell.header).split(" / ")[-1].split()[: len(counted)] == counted and re.search(r"\d", cell.value) is not None


_COUNTED = re.compile(r"\bbao nhieu\s+(\w+)(?:\s+(\w+))?")


def _counted_words(folded_question: str) -> list[str]:
    """The noun a "bao nhiêu …" question counts, as the first words of a column's name ("chi tieu")."""
    match = _COUNTED.search(folded_question)
    return [w for w in match.groups() if w] if match else []


def _names_every_level(header: str, folded_question: str) -> bool:
    """The question holds most words of each level of a column's header ("Năm 2023 / Chỉ tiêu"), and
    every number of it: "năm 2023" does not name "Năm 2024 / Chỉ tiêu"."""
    asked = set(words(folded_question))
    for level in header.split(" / "):
        said = words(fold(level))
        if not said or sum(w in asked for w in said) * 2 < len(said):
            return False
        if any(w[0].isdigit() and w not in asked for w in said):
            return False
    return True


def cell_answer(label: str, cells: list[Cell]) -> str:
    return f"{label} — " + "; ".join(f"{c.header}: {c.value}" for c in cells)


def done_not_planned(question: str, candidates: list, text_of) -> list:
    """Candidates less those stating only a target when the question asks what was done (and the
    other way round), unless nothing else is left: "đã kết nạp bao nhiêu" is not "phấn đấu kết nạp 150"."""
    tables = profile().tables
    q = fold(question)
    wants_plan, wants_done = _side(q, tables["plan_words"]), _side(q, tables["done_words"])
    if wants_plan == wants_done:
        return candidates

    def off_side(candidate) -> bool:
        words = fold(text_of(candidate))
        if parse_row(text_of(candidate)) is not None:
            return False  # a row holds both sides; its cell is picked by column
        plan, done = _side(words, tables["plan_words"]), _side(words, tables["done_words"])
        return (plan and not done) if wants_done else (done and not plan)

    kept = [c for c in candidates if not off_side(c)]
    return kept or candidates
