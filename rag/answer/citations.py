"""The cited answer and its citations: the JSON contract shared by the CLI, the eval and the UI."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

REFUSAL = "Không tìm thấy thông tin này trong các báo cáo."
MARKER = re.compile(r"\s*\[(\d+)\]")  # a citation marker in an answer, with the space before it


def inert(quoted: str) -> str:
    """Report text set in an answer: a "[7]" of the report (a footnote, or one planted to pass
    for a citation) becomes "(7)", so the only markers an answer has are its own."""
    return re.sub(r"\[(\d+)\]", r"(\1)", quoted)


@dataclass(frozen=True)
class Citation:
    marker: int
    doc_id: str
    title: str
    chunk_id: str
    start: int  # offsets into the report's cleaned text (`baocao show DOC_ID`)
    end: int
    quote: str  # always cleaned_text[start:end]
    score: float
    verified: bool = True  # a generated sentence checked against it (extractive quotes are the text itself)
    # where the quote states what was asked (the person, the date, the count): (start, end) offsets
    # into the report's cleaned text, within [start, end); empty for open questions
    highlights: tuple[tuple[int, int], ...] = ()
    section: str = ""  # the heading path above the quote ("Chương II › Điều 19"); "" when the report has none
    page: int = 0  # the PDF page the quote starts on; 0 for formats without pages
    ocr: bool = False  # the quote was read by OCR from a scanned page: check it against the page


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[dict] = field(default_factory=list)  # {"doc_id", "chunk_id", "score"}
    timings_ms: dict[str, float] = field(default_factory=dict)
    reason: str = ""  # why it refused or what it matched; for people and the eval, not the contract
    generator: str = "extractive"  # or "llm:<model>"; "extractive (llm unverified)" when it fell back
    # each generated sentence: {"text", "verified", "note"} (kept or dropped, and why); empty when extractive
    sentences: list[dict] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> "Answer":
        """The answer back from its contract (a saved conversation, a `--json` line)."""
        fields = {k: data[k] for k in ("question", "answer", "refused", "retrieved", "timings_ms", "reason",
                                       "generator", "sentences") if k in data}
        citations = [Citation(**{**c, "highlights": tuple(tuple(h) for h in c.get("highlights", ()))})
                     for c in data.get("citations", [])]
        return cls(**fields, citations=citations)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [asdict(c) for c in self.citations],
            "retrieved": self.retrieved,
            "timings_ms": self.timings_ms,
            "reason": self.reason,
            "generator": self.generator,
            "sentences": self.sentences,
        }
