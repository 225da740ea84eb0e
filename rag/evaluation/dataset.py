"""Eval sets: JSON lines of questions with gold answers, and the corpora they are asked about.

Two item formats load into one `EvalItem`:
- the project's own (`eval/qa.jsonl`): `answer`, `facts` (key facts with variants), `doc_ids`, `evidence`;
- gold-span sets such as UIT-ViNewsQA (`answerable`, `docs`, `answers`: annotators' spans): the spans
  become `spans`, and items without a split get a stable one from their id (half dev, half test).
"""
from __future__ import annotations

import difflib
import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from rag.text.normalize import match_key

_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SET = _ROOT / "eval" / "qa.jsonl"
DEFAULT_SEEDS = _ROOT / "seeds"


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    answer: str = ""
    facts: list[list[str]] = field(default_factory=list)  # each fact: accepted variants
    doc_ids: list[str] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)  # {"doc_id", "quote"}
    tags: list[str] = field(default_factory=list)
    split: str = "dev"
    history: list[str] = field(default_factory=list)  # earlier questions of a conversation (follow-ups)
    spans: list[str] = field(default_factory=list)  # gold answer spans (any one is a right answer)

    @property
    def answerable(self) -> bool:
        return bool(self.doc_ids)


class DatasetError(ValueError):
    pass


def load(path: str | Path = DEFAULT_SET) -> list[EvalItem]:
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"eval set not found: {path}")
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(_item(json.loads(line)))
        except (ValueError, TypeError, KeyError) as exc:
            raise DatasetError(f"{path}:{n}: not a valid eval item ({exc})") from exc
    return items


def _item(raw: dict) -> EvalItem:
    if "answers" not in raw and "absent_answers" not in raw:
        return EvalItem(**raw)
    # A gold-span item: what its article says is only kept for answerable ones.
    split = raw.get("split") or ("dev" if int(hashlib.sha1(raw["id"].encode()).hexdigest(), 16) % 2 == 0 else "test")
    answerable = raw.get("answerable", True)
    return EvalItem(
        id=raw["id"], question=raw["question"], answer=(raw.get("answers") or [""])[0] if answerable else "",
        doc_ids=list(raw.get("docs", [])) if answerable else [], spans=list(raw.get("answers", [])) if answerable else [],
        tags=[raw["kind"]] if raw.get("kind") else ["answerable" if answerable else "unanswerable"], split=split,
    )


def corpus_paths(corpus: Path, qa: Path | None) -> tuple[Path, Path]:
    """(reports folder, Q&A file) for `--corpus DIR [--qa FILE]`: a corpus folder laid out as
    `DIR/docs/` + `DIR/qa.jsonl` needs no `--qa`, nor do the project's seeds (`eval/qa.jsonl`)."""
    corpus = Path(corpus)
    docs = corpus / "docs" if (corpus / "docs").is_dir() else corpus
    if qa is None and corpus.resolve() == DEFAULT_SEEDS:
        qa = DEFAULT_SET
    if qa is None:
        found = [p for p in (corpus / "qa.jsonl", corpus.parent / "qa.jsonl") if p.is_file()] if corpus.is_dir() else []
        if not found:
            raise DatasetError(f"no Q&A file for {corpus}: pass --qa FILE (JSON lines)")
        qa = found[0]
    return docs, Path(qa)


def normalized(text: str) -> str:
    """Case-, NFC- and tone-placement-insensitive form used to compare facts and answers."""
    return " ".join(match_key(text).split())


# An OCR'd report holds its gold quote with a few characters misread (the quote is written from the
# original's text layer): it is found where at least this share of it matches.
OCR_MATCH = 0.85


@functools.lru_cache(maxsize=4096)
def locate(quote: str, text: str) -> tuple[int, int] | None:
    """(start, end) of `quote` in `text`: verbatim, else the window of the text around the quote's
    longest common run that matches it at OCR_MATCH or better (None when there is none)."""
    start = text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    if not quote or not text:
        return None
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    anchor = matcher.find_longest_match(0, len(text), 0, len(quote))
    start = max(0, anchor.a - anchor.b)
    window = text[start : start + len(quote)]
    if difflib.SequenceMatcher(None, window, quote, autojunk=False).ratio() < OCR_MATCH:
        return None
    return start, start + len(window)


def validate(items: list[EvalItem], texts: dict[str, str]) -> list[str]:
    """Problems with the set: evidence not verbatim, unknown reports, facts not in evidence."""
    problems = []
    seen = set()
    for item in items:
        where = f"{item.id}"
        if item.id in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(item.id)
        if item.split not in ("dev", "test"):
            problems.append(f"{where}: split must be dev or test")
        for doc_id in item.doc_ids:
            if doc_id not in texts:
                problems.append(f"{where}: unknown report {doc_id}")
        for ev in item.evidence:
            if ev["doc_id"] not in item.doc_ids:
                problems.append(f"{where}: evidence from {ev['doc_id']} not in doc_ids")
            if locate(ev["quote"], texts.get(ev["doc_id"], "")) is None:
                problems.append(f"{where}: evidence not in {ev['doc_id']}: {ev['quote'][:50]!r}")
        if item.spans:
            if not any(normalized(span) in normalized(texts.get(d, "")) for span in item.spans for d in item.doc_ids):
                problems.append(f"{where}: no gold span is in its reports")
        elif item.answerable:
            if not item.evidence or not item.facts:
                problems.append(f"{where}: an answerable item needs evidence and facts")
            evidence = normalized(" ".join(ev["quote"] for ev in item.evidence))
            for variants in item.facts:
                if not any(normalized(v) in evidence for v in variants):
                    problems.append(f"{where}: fact {variants[0]!r} not in its evidence")
        elif item.facts or item.evidence:
            problems.append(f"{where}: an unanswerable item has no facts or evidence")
    return problems
