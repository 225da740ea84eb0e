"""The evidence step: for a question and its retrieved passages, everything an answerer may
use, computed once, as one typed bundle.

For every candidate sentence (of the retrieved chunks, and those sentence search found):
its offsets, how much of the question it covers (terms weighted by their rarity in the
indexed corpus), its dense similarity (raw and above the corpus background), which of the
question's named things it or its report states, whether it states the kind of fact asked
for, whether it holds a list, and its neighbours in the paragraph. Outlet, byline and
publication time (facts at the very end or the very top of an article) come as metadata
evidence with the span that states them.

The answerers (extractive, LLM) are pure functions of this bundle: no store, no callbacks.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from langchain_core.documents import Document
from langchain_core.runnables import RunnableSerializable
from pydantic import ConfigDict

from rag.answer.kinds import (
    asked_roles, contains_phrase, holds_list, keys, office_mentions, refers_back, states_kind,
)
from rag.answer.question import Question, analyze
from rag.answer.table_cells import parse_row
from rag.ingest.blocks import SECTION_SEP, layout_of
from rag.retrieval.corpus_stats import CorpusStats
from rag.text.normalize import fold
from rag.text.sentences import split_spans
from rag.text.tokens import lexical_tokens

_LEDE_CHARS = 300  # the opening of a report names its event: place, date, who
_LONG_SENTENCE = 200  # longer sentences are also offered clause by clause
_CLAUSE_END = re.compile(r"[;:]\s+")
META_KINDS = ("source", "author", "published")
RESTATES_BELOW = 0.5  # novelty under which a sentence only restates the question
SentenceSimilarity = Callable[[str, list[tuple[str, int]]], dict[tuple[str, int], float]]


@dataclass(frozen=True)
class Neighbour:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Part:
    """A run of consecutive clauses of a long sentence: what an answer may cite instead of
    the whole sentence when the answer sits in one clause."""

    start: int  # offsets into the report's cleaned text
    end: int
    coverage: float  # as the sentence's, with the rest of the sentence counted as context
    states_kind: bool


@dataclass(frozen=True)
class SentenceEvidence:
    doc_id: str
    title: str
    chunk_id: str
    start: int  # offsets into the report's cleaned text
    end: int
    text: str
    rank: int  # of the chunk it came from in the retrieval (sentence-search hits rank last)
    coverage: float  # idf-weighted share of the question's terms (named things included) it carries
    concept: float  # the same, over the subject terms only (what is asked about, not who/where)
    # dense cosine to the question, and that cosine above unrelated sentences of this corpus in
    # standard deviations; None when there is no vector to compare (no embedder given, or the
    # sentence has none): the answerer then weighs the words alone, and says so in its reason
    similarity: float | None
    similarity_z: float | None
    states_kind: bool  # states the kind of fact asked for (a number for "bao nhiêu", a person for "ai")
    holds_list: bool
    entities: frozenset[str]  # the question's named things it (or, for event names, its report) states
    previous: Neighbour | None  # the sentences before and after it in its paragraph
    following: Neighbour | None
    parts: tuple[Part, ...] = ()  # of a long sentence with several ";" clauses, shortest first
    other_office: bool = False  # names an office the question asks about only as deputy/former/acting
    office: bool = False  # names an office the question asks about, as it is
    other_year: bool = False  # sits under a heading or group row of another year than the asked one
    # share of its words the question does not use: near 0, it restates the question and its answer
    # is a neighbour (the sentence before, when this one points back to it: "Cách này giúp …")
    novelty: float = 1.0
    points_back: bool = False
    # states the asked kind in a clause that also names what the question names (for a long
    # sentence of ";" clauses: "ban hành ngày nào" is not answered by a date in another clause)
    states_kind_with_names: bool = True
    # a heading line followed by list items ("II. NHIỆM VỤ TRỌNG TÂM" then "1. …", "2. …"): the items,
    # which answer "gồm những gì" about that section (a heading alone never answers)
    items: tuple[Neighbour, ...] = ()
    heading: bool = False  # the sentence is a heading line of its report


@dataclass(frozen=True)
class MetadataEvidence:
    doc_id: str
    title: str
    chunk_id: str
    field: str  # source | author | published
    start: int  # the sentence stating it
    end: int
    text: str


@dataclass(frozen=True)
class Evidence:
    question: Question
    sentences: tuple[SentenceEvidence, ...]  # in retrieval order
    entities: tuple[str, ...]  # named things an answer must be tied to
    missing: frozenset[str]  # of those, the ones no retrieved report states
    metadata: tuple[MetadataEvidence, ...] = ()  # for source/author/published questions
    ledes: dict[str, int] = field(default_factory=dict)  # doc_id -> start of the sentence opening its body
    offices: tuple[str, ...] = ()  # offices the question names as they are ("Trưởng Ban …"), match keys


class EvidenceStep(RunnableSerializable[dict, Evidence]):
    """Input: {"question", "documents": [chunk Documents], "reports": {doc_id: Report},
    optional "sentences": [SentenceHit]}. Output: `Evidence`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    idf: Callable[[str], float]  # over the indexed sentences: rare terms tell the answering one apart
    similarity: SentenceSimilarity | None = None
    corpus: CorpusStats | None = None

    def invoke(self, input: dict, config=None, **kwargs) -> Evidence:
        corpus = self.corpus
        question = analyze(input["question"], corpus.report_share if corpus else None)
        reports: dict = input.get("reports") or {}
        documents = input.get("documents") or []
        ledes = {d: span for d, r in reports.items() if (span := _lede(r.text)) is not None}
        # Each report's opening sentence names its event (where, when, who): a "which reports"
        # answer cites it, so it is always a candidate.
        spans = self._spans(documents, input.get("sentences") or [], reports, ledes, len(documents))
        sentences_of = {d: split_spans(r.text) for d, r in reports.items()}  # split once per report
        asked = _unigrams(question.text)
        spans += _restated_neighbours(spans, reports, sentences_of, asked)
        entities = self._checkable_entities(question)
        spellings = {e: question.spellings(e) for e in entities}  # the entity and its initials
        identities = {d: keys(_identity(r)) for d, r in reports.items()}
        # whole texts are searched only for the names that place the event ("ở X", "số III")
        whole = {d: keys(r.text) for d, r in reports.items()} if question.event_entities else {}
        weights = self._weights(question)
        roles = asked_roles(question.text)
        concept = {t: v for t, v in weights.items() if t in set(question.subject)}
        openings = {d: set(lexical_tokens(_opening(r))) for d, r in reports.items()}
        layouts = {d: layout_of(r) for d, r in reports.items()}
        sims = self.similarity(question.text, [(d, s) for d, s, _, _ in spans]) if self.similarity else {}
        out = []
        for doc_id, start, end, rank in spans:
            report = reports[doc_id]
            text = report.text[start:end]
            sentence_keys = keys(text)
            # A long report names a year, a province or a programme once, in the heading of the
            # section its sentences are about ("Phụ lục 02 … từ năm 2017 - 2021"): said there, it is said.
            unit = layouts[doc_id].at(start)
            section = unit.section if unit else ""
            section_keys = keys(section)
            lead_in = keys(_lead_in(report.text, start))  # "Tại tỉnh X:" a paragraph or two above
            # OCR misreads diacritics far more than letters ("xét tuyên bỗ sung"): there, names compare folded
            read = fold if unit is not None and unit.ocr else (lambda x: x)
            found = frozenset(
                e for e, spelled in spellings.items() if any(
                    contains_phrase(*sentence_keys, read(x))
                    or contains_phrase(*identities[doc_id], x)
                    or contains_phrase(*section_keys, x)
                    or contains_phrase(*lead_in, x)
                    or (e in question.event_entities and contains_phrase(*whole[doc_id], x))
                    for x in spelled)
            )
            previous, following = _neighbours(report.text, sentences_of[doc_id], start, end)
            # A named thing the report states elsewhere counts as said; a term of the sentence
            # before (what "gồm:" or "đồng chí" refers to) or of the report's opening counts half,
            # and the sentence before counts fully when this one points back to it ("hiện tượng này").
            tokens = set(lexical_tokens(text)).union(*(lexical_tokens(e) for e in found))
            back = refers_back(text)
            before = set(lexical_tokens(previous.text)) if previous else set()
            if before and back:
                tokens |= before
            context = (before | openings[doc_id] | set(lexical_tokens(section))) - tokens
            cosine = sims.get((doc_id, start))
            parts = _parts(report.text, start, end, weights, context | tokens, question) if end - start > _LONG_SENTENCE else ()
            office, other_office = office_mentions(text, roles)
            kind_stated = states_kind(text, question)
            named_here = [e for e in entities
                          if e not in question.event_entities | question.years and contains_phrase(*sentence_keys, read(e))]
            # one clause (with what introduces it) states the kind and the names: a run of clauses
            # would let "hạng Ba (năm 1985); … hạng Nhất (năm 1998)" answer "hạng Nhất" with 1985
            with_names = kind_stated and (not parts or not named_here or any(
                p.states_kind and not _CLAUSE_END.search(report.text[p.start : p.end].rstrip(":; "))
                and all(contains_phrase(*keys(_clause_with_lead_in(report.text, start, p)), e) for e in map(read, named_here))
                for p in parts))
            out.append(SentenceEvidence(
                doc_id=doc_id, title=report.meta.get("title", ""), chunk_id=report.chunk_id_at(start),
                start=start, end=end, text=text, rank=rank,
                coverage=_share(weights, tokens, context), concept=_share(concept, tokens, context, empty=1.0),
                similarity=cosine,
                similarity_z=corpus.similarity_z(cosine) if corpus and cosine is not None else None,
                states_kind=kind_stated, holds_list=holds_list(text),
                entities=found, previous=previous, following=following, parts=parts,
                other_office=other_office, office=office, novelty=_novelty(text, asked), points_back=back,
                other_year=_about_another_year(text, section, question),
                states_kind_with_names=with_names, **section_of(report.text, start, end),
            ))
        missing = frozenset(entities) - frozenset().union(*(s.entities for s in out)) if out else frozenset(entities)
        metadata = _metadata(question, reports, sentences_of, [s.doc_id for s in out if s.entities or not entities])
        return Evidence(question, tuple(out), tuple(entities), missing, metadata, {d: a for d, (a, _) in ledes.items()},
                        tuple(roles))

    # --- steps ---
    @staticmethod
    def _spans(documents: list[Document], hits: list, reports: dict, ledes: dict, last: int) -> list[tuple[str, int, int, int]]:
        """(doc_id, start, end, rank) of each distinct sentence: the chunks' in retrieval order,
        then the hits', then the reports' opening sentences."""
        spans = []
        for rank, doc in enumerate(documents):
            meta = doc.metadata
            if meta["doc_id"] in reports:
                text = reports[meta["doc_id"]].text
                spans += [(meta["doc_id"], s.start, s.end, rank) for s in split_spans(text, meta["start"], meta["end"])]
        spans += [(h.doc_id, h.start, h.end, last) for h in hits if h.doc_id in reports]
        spans += [(d, a, b, last) for d, (a, b) in ledes.items()]
        seen_spans, seen_texts, out = set(), set(), []
        for doc_id, start, end, rank in spans:
            sentence = reports[doc_id].text[start:end]
            if (doc_id, start) in seen_spans or sentence in seen_texts:
                continue
            seen_spans.add((doc_id, start))
            seen_texts.add(sentence)
            out.append((doc_id, start, end, rank))
        return out

    def _checkable_entities(self, question: Question) -> list[str]:
        if not question.english:
            return list(question.entities)
        # English words are not in Vietnamese reports; keep names and numbers the reports know.
        return [e for e in question.entities if all(self.idf(w) > 0 for w in fold(e).split())]

    def _weights(self, question: Question) -> dict[str, float]:
        """idf weights of what an answer sentence should carry: the subject and the named things."""
        named = [t for e in question.entities for t in lexical_tokens(e)]
        known = {t: self.idf(t) for t in (*question.core, *named)}
        top = max(known.values(), default=1.0) or 1.0
        # A word no report has counts fully: its absence is what makes a question unanswerable.
        return {term: idf if idf > 0 else top for term, idf in known.items()}


LEAD_IN_PARAGRAPHS = 2
_OPENS_PART = re.compile(r"\(?(?:\d{1,2}|[IVX]{1,5}|[a-zđ])\)\s|(?:\d{1,2}(?:\.\d{1,2}){0,3}|[IVX]{1,5})\.\s")
_TITLE_CHARS = 150


_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_ASIDE = re.compile(r"\([^()]*\)")
_YEAR_SPAN = re.compile(r"\b((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})\b")


def years_in(text: str) -> set[int]:
    """The years a text names, a span ("2017 - 2021") standing for every year in it."""
    found = {int(y) for y in _YEAR.findall(text)}
    for a, b in _YEAR_SPAN.findall(text):
        if 0 < int(b) - int(a) <= 50:
            found.update(range(int(a), int(b) + 1))
    return found


def _about_another_year(text: str, section: str, question: Question) -> bool:
    """A sentence or row under a heading or group row of another year than the one asked ("I Năm
    2019" above "2 Yên Bái — …", asked about 2020), naming none of the asked years itself, or a row
    whose columns are other years."""
    asked = set().union(*(years_in(y) for y in question.years)) if question.years else set()
    if not asked:
        return False
    inner = next((y for step in reversed(section.split(SECTION_SEP)) if (y := years_in(step))), set())
    if inner & asked:
        return False
    row = parse_row(text)
    if row is not None and (columns := years_in(" ".join(c.header for c in row[1]))) and not columns & asked:
        return True  # "… — Năm 2023 / Chỉ tiêu: 26; Năm 2024 / Chỉ tiêu: 24", asked about 2025
    if years_in(text) & asked:
        # named only in an aside that states nothing asked: "75 cuộc kiểm toán (riêng năm 2023,
        # tổng số kiến nghị là 12.259 tỷ đồng)" does not say how many audits in 2023
        return not years_in(_ASIDE.sub(" ", text)) & asked and not any(
            years_in(a) & asked and states_kind(a, question) for a in _ASIDE.findall(text))
    return bool(inner)


def _unigrams(text: str) -> set[str]:
    return {t for t in lexical_tokens(text) if "_" not in t and not t.startswith("~")}


def _lead_in(text: str, start: int, paragraphs: int = LEAD_IN_PARAGRAPHS) -> str:
    """Of the paragraphs just above a sentence, those that open a part of the report ("(4) Kiểm
    toán … của tỉnh X.", "Tại tỉnh X:", a short title): where a long report names once the
    province or the programme its next sentences are about. Running prose above does not count
    (a news story names other provinces in passing)."""
    end = text.rfind("\n\n", 0, start)
    out = []
    for _ in range(paragraphs):
        if end < 0:
            break
        begin = text.rfind("\n\n", 0, end)
        paragraph = text[begin + 2 if begin >= 0 else 0 : end].strip()
        if _OPENS_PART.match(paragraph) or paragraph.endswith(":") or (
                len(paragraph) <= _TITLE_CHARS and not paragraph.endswith((".", "!", "?", "…"))):
            out.append(paragraph)
        end = begin
    return "\n".join(out)


def _novelty(text: str, asked: set[str]) -> float:
    own = _unigrams(text)
    return len(own - asked) / len(own) if own else 0.0


def _restated_neighbours(spans: list, reports: dict, sentences_of: dict, asked: set[str]) -> list[tuple[str, int, int, int]]:
    """For a candidate that restates the question, the neighbour that may hold its answer (the
    sentence before when it points back, else the one after), if not a candidate already."""
    have = {(d, a) for d, a, _, _ in spans}
    out = []
    for doc_id, start, end, rank in spans:
        text = reports[doc_id].text
        if _novelty(text[start:end], asked) >= RESTATES_BELOW:
            continue
        previous, following = _neighbours(text, sentences_of[doc_id], start, end)
        n = previous if refers_back(text[start:end]) else following
        if n is not None and (doc_id, n.start) not in have:
            have.add((doc_id, n.start))
            out.append((doc_id, n.start, n.end, rank))
    return out


def _share(weights: dict[str, float], tokens: set[str], context: set[str], empty: float = 0.0) -> float:
    total = sum(weights.values())
    if not total:
        return empty
    return sum(w if t in tokens else 0.5 * w if t in context else 0.0 for t, w in weights.items()) / total


def _parts(text: str, start: int, end: int, weights: dict[str, float], context: set[str], question: Question) -> tuple[Part, ...]:
    """Every run of consecutive clauses (ended by ";" or ":") of text[start:end] short of the whole, shortest first."""
    cuts = [start] + [start + m.end() for m in _CLAUSE_END.finditer(text[start:end])] + [end]
    if len(cuts) < 3:
        return ()
    parts = []
    for i in range(len(cuts) - 1):
        for j in range(i + 1, len(cuts)):
            if (i, j) == (0, len(cuts) - 1):
                continue
            a, b = cuts[i], cuts[j]
            clause = text[a:b].rstrip("; ")  # a run ending at ":" keeps it: "gồm:", "nhấn mạnh:"
            tokens = set(lexical_tokens(clause))
            parts.append(Part(a, a + len(clause), _share(weights, tokens, context - tokens),
                              states_kind(clause, question)))
    return tuple(sorted(parts, key=lambda p: (p.end - p.start, p.start)))


def _clause_with_lead_in(text: str, start: int, part: Part) -> str:
    """A clause, with the sentence's first clause when it comes later: the first names what the
    others go on about ("Qua khảo sát của X cho thấy tỷ lệ …, cụ thể: năm 2018 là 47%", "Trong năm
    2024, trung tâm y tế huyện X triển khai …; trung tâm tiêm vắc xin cho 4.500 trẻ em; …")."""
    first = _CLAUSE_END.search(text, start, part.start)
    clause = text[part.start : part.end]
    return f"{text[start : first.end()]} {clause}" if first else clause


def _neighbours(text: str, sentences: list, start: int, end: int) -> tuple[Neighbour | None, Neighbour | None]:
    """The sentences just before and just after [start, end) within its paragraph
    (`sentences`: the report's sentence spans, in order)."""
    i = bisect.bisect_left(sentences, start, key=lambda s: s.start)
    before = sentences[i - 1] if i > 0 else None
    after = next((s for s in sentences[i:] if s.start >= end), None)
    previous = following = None
    if before is not None and "\n" not in text[before.end : start]:
        previous = Neighbour(before.start, before.end, text[before.start : before.end])
    if after is not None and "\n" not in text[end : after.start]:
        following = Neighbour(after.start, after.end, text[after.start : after.end])
    return previous, following


def _lede(text: str) -> tuple[int, int] | None:
    """The first full sentence of the body: past a title, a dateline or a timestamp (short, or
    not ended by a full stop)."""
    for span in split_spans(text, 0, min(len(text), _LEDE_CHARS * 4))[:4]:
        sentence = text[span.start : span.end]
        if len(sentence) >= 60 and sentence.rstrip("\"”’)»").endswith((".", "!", "…")):
            return span.start, span.end
    return None


def _opening(report) -> str:
    """The title and the first sentence of the report's body."""
    spans = split_spans(report.text, 0, min(len(report.text), _LEDE_CHARS * 2))
    return " ".join(report.text[s.start : s.end] for s in spans[:2])


def _identity(report) -> str:
    """What names a report as a whole: its opening and its metadata (place, outlet, date)."""
    meta = report.meta
    fields = " ".join(str(meta.get(k, "")) for k in ("title", "place", "source", "date", "year"))
    return report.text[:_LEDE_CHARS] + "\n" + fields


def _metadata(question: Question, reports: dict, sentences_of: dict, doc_ids: list[str]) -> tuple[MetadataEvidence, ...]:
    """Outlet, byline or publication time of the candidate reports, with the sentence stating it."""
    if question.kind not in META_KINDS:
        return ()
    out = []
    for doc_id in dict.fromkeys(doc_ids):
        report = reports[doc_id]
        value = _published(report.text) if question.kind == "published" else report.meta.get(question.kind, "")
        at = report.text.rfind(value) if value else -1
        if at < 0:
            continue
        span = next(s for s in sentences_of[doc_id] if s.start <= at < s.end)
        out.append(MetadataEvidence(doc_id, report.meta.get("title", ""), report.chunk_id_at(span.start), question.kind,
                                    span.start, span.end, report.text[span.start : span.end]))
    return tuple(out)


def _published(text: str) -> str:
    """A timestamp line opening the article ("12:12, 19/12/2019") is when it was published."""
    first = text.split("\n", 1)[0]
    return first if re.fullmatch(r"\d{1,2}:\d{2},?\s+\d{1,2}/\d{1,2}/\d{4}", first) else ""


def _line_at(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The line (paragraph) a sentence spans whole, or None when it is part of a longer one."""
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    b = len(text) if b < 0 else b
    return (a, b) if text[a:start].strip() == "" and text[end:b].strip() == "" else None


# a line that introduces the list under it: "… gồm các loại:", "… được phát hiện như sau"
_LEADS_LIST = re.compile(r":$|\b(?:như sau|sau đây|bao gồm|gồm có|gồm)$", re.IGNORECASE)


def section_of(text: str, start: int, end: int, limit: int = 12) -> dict:
    """{"heading", "items"} of a sentence: whether it is a heading line of its report, and the list
    items that follow it when it is a whole line (a heading, or a sentence ending in ":")."""
    from rag.ingest.structure import classify, marker_style

    line = _line_at(text, start, end)
    if line is None:
        return {"heading": False, "items": ()}
    head = classify(text[start:end])
    heading = head.kind == "heading"
    if not heading and not _LEADS_LIST.search(text[start:end].rstrip()):
        return {"heading": False, "items": ()}
    items: list[Neighbour] = []
    # "b) … gồm các loại:" then "- A", "- B", "c) …": the list ends at the lead-in's next sibling;
    # items marked otherwise than the first are its sub-items, left out of the list
    sibling = marker_style(head.marker) if head.kind == "list_item" else None
    first = None
    at = line[1]
    while len(items) < limit:
        a = at + 2 if text.startswith("\n\n", at) else at + 1
        if a >= len(text):
            break
        b = text.find("\n", a)
        b = len(text) if b < 0 else b
        at = b
        block = classify(text[a:b])
        if block.kind != "list_item" and not (block.kind == "heading" and head.kind == "heading"
                                              and block.level > head.level and block.marker):
            break
        style = marker_style(block.marker)
        if style == sibling:
            break
        first = first or style
        if style == first:
            items.append(Neighbour(a, b, text[a:b]))
    if heading and len(items) < 2:
        items = _child_headings(text, line[1], head, limit)
    return {"heading": heading, "items": tuple(items) if len(items) >= 2 else ()}


SECTION_CHARS = 60_000  # how far a section's sub-headings are looked for


def _child_headings(text: str, at: int, head, limit: int) -> list[Neighbour]:
    """The numbered headings one level under a heading ("2.4.1 …", "2.4.2 …" under "2.4 …"), over
    the paragraphs between them, up to the next heading of its level or above: what "Mục 2.4 gồm
    những tiểu mục nào" asks for."""
    from rag.ingest.structure import classify

    children: list[Neighbour] = []
    level = None
    end = min(len(text), at + SECTION_CHARS)
    while at < end and len(children) < limit:
        a = at + 1
        while a < end and text[a] == "\n":
            a += 1
        b = text.find("\n", a)
        b = end if b < 0 else b
        at = b
        block = classify(text[a:b])
        if block.kind == "heading" and block.level <= head.level:
            break
        # a sub-heading written as a sentence ("1.4.2.1 Xây dựng dự toán … kinh phí.") reads as a numbered item
        if block.kind not in ("heading", "list_item") or block.level <= head.level:
            continue
        if block.marker and level is None:
            level = block.level
        if block.marker and block.level == level:
            children.append(Neighbour(a, b, text[a:b]))
    return children
