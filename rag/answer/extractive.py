"""The default answerer: extractive, offline, every sentence cited.

It picks the sentences of the retrieved chunks that answer the question, leads with
the one stating the asked-for fact, and refuses when the evidence is too weak:
a named thing from the question is in neither the sentence nor its report's lead,
too little of the question is in the sentence (its terms, weighted by rarity, and
its meaning, by sentence embedding), or the sentence lacks the kind of fact asked
for (a number for "bao nhiêu", a person for "ai", ...). Cosine similarity alone
cannot make that call (shared/README: answerable and unanswerable questions
overlap in cosine), so it is one signal beside the passage's own words.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from langchain_core.documents import Document
from langchain_core.runnables import RunnableSerializable
from pydantic import ConfigDict

from rag.answer.citations import REFUSAL, Answer, Citation
from rag.answer.evidence import STRICT_KINDS, contains_phrase, keys, states_kind
from rag.answer.question import Question, analyze
from rag.text.normalize import fold
from rag.text.sentences import split_spans
from rag.text.tokens import lexical_tokens

_COMPARE = re.compile(r"\b(so sanh|ca hai|khac nhau|giong nhau|compare|both)\b")
_MAX_SENTENCES = {"list": 3, "other": 2}
_LEDE_CHARS = 300  # the opening of a report names its event: place, date, cluster
_META_KINDS = {"source", "author", "published"}

SentenceSimilarity = Callable[[str, list[tuple[str, int]]], dict[tuple[str, int], float]]


@dataclass
class Candidate:
    doc_id: str
    title: str
    chunk_id: str
    start: int
    end: int
    text: str
    rank: int  # of its chunk in the retrieval
    coverage: float = 0.0
    concept: float = 0.0  # coverage of the terms that are not named things
    similarity: float = 0.0
    evidence: float = 0.0
    typed: bool = False
    score: float = 0.0
    entities: set[str] = field(default_factory=set)
    context: str = ""  # the sentence before it in the same paragraph


class ExtractiveAnswerer(RunnableSerializable[dict, Answer]):
    """Input: {"question": str, "documents": [chunk Documents], "reports": {doc_id: Report},
    optional "sentences": [SentenceHit] found by sentence search}."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    idf: Callable[[str], float]
    similarity: SentenceSimilarity | None = None
    # evidence = w * coverage + (1 - w) * rescaled similarity; calibrated on dev questions
    coverage_weight: float = 0.6
    coverage_weight_english: float = 0.5
    min_evidence: float = 0.45
    min_evidence_english: float = 0.35
    min_concept_coverage: float = 0.2  # of the terms outside the named things
    min_concept_english: float = 0.4
    sim_floor: float = 0.78
    sim_floor_english: float = 0.74  # English questions get the lowest similarities of all
    sim_span: float = 0.12
    type_bonus: float = 0.2
    rank_bonus: float = 0.02

    def invoke(self, input: dict, config=None, **kwargs) -> Answer:
        question = analyze(input["question"])
        documents: list[Document] = input.get("documents") or []
        reports: dict = input.get("reports") or {}
        candidates = self._candidates(documents, input.get("sentences") or [], reports)
        if not candidates:
            return self._refuse(question, "no passage was retrieved")
        entities = self._checkable_entities(question)
        identities = {d: keys(_identity(r)) for d, r in reports.items()}
        whole = {d: keys(r.text) for d, r in reports.items()}
        for c in candidates:
            sentence_keys = keys(c.text)
            c.entities = {
                e for e in entities
                if contains_phrase(*sentence_keys, e)
                or contains_phrase(*identities[c.doc_id], e)
                or (e in question.event_entities and contains_phrase(*whole[c.doc_id], e))
            }
        missing = set(entities) - set().union(*(c.entities for c in candidates))
        if missing:
            return self._refuse(question, f"not in the retrieved reports: {', '.join(sorted(missing))}")
        if question.kind in _META_KINDS:
            return self._answer_metadata(question, candidates, reports, bool(entities))
        self._score_all(question, candidates, reports)
        evidence, concept = self._thresholds(question)
        usable = [
            c for c in candidates
            if c.evidence >= evidence
            and c.concept >= concept
            and (c.typed or question.kind not in STRICT_KINDS)
            and (c.entities or not entities)
        ]
        if not usable:
            return self._refuse(question, self._why_not(question, candidates))
        if question.kind == "list":  # prefer a sentence holding a list, if it is nearly as relevant
            best = max(c.evidence for c in usable)
            usable = [c for c in usable if c.typed and c.evidence >= 0.8 * best] or usable
        chosen = self._select(question, usable, set(entities))
        if chosen is None:
            return self._refuse(question, "the named things are not stated together with an answer")
        return self._compose(question, chosen)

    # --- steps ---
    def _candidates(self, documents: list[Document], hits: list, reports: dict) -> list[Candidate]:
        spans = []  # (doc_id, start, end, rank of its source)
        for rank, doc in enumerate(documents):
            meta = doc.metadata
            if meta["doc_id"] in reports:
                text = reports[meta["doc_id"]].text
                spans += [(meta["doc_id"], s.start, s.end, rank) for s in split_spans(text, meta["start"], meta["end"])]
        spans += [(h.doc_id, h.start, h.end, len(documents)) for h in hits if h.doc_id in reports]
        seen_spans, seen_texts, out = set(), set(), []
        for doc_id, start, end, rank in spans:
            report = reports[doc_id]
            sentence = report.text[start:end]
            if (doc_id, start) in seen_spans or sentence in seen_texts:
                continue
            seen_spans.add((doc_id, start))
            seen_texts.add(sentence)
            title = report.meta.get("title", "")
            paragraph = report.text.rfind("\n", 0, start) + 1
            before = split_spans(report.text, paragraph, start)
            context = report.text[before[-1].start : before[-1].end] if before else ""
            out.append(Candidate(doc_id, title, report.chunk_id_at(start), start, end, sentence, rank, context=context))
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
        weights = {}
        for term, idf in known.items():
            # A word no report has counts fully: its absence is what makes a question unanswerable.
            weights[term] = idf if idf > 0 else top
        return weights

    def _score_all(self, question: Question, candidates: list[Candidate], reports: dict) -> None:
        weights = self._weights(question)
        total = sum(weights.values())
        openings = {c.doc_id: set(lexical_tokens(_opening(reports[c.doc_id]))) for c in candidates}
        sims = self.similarity(question.text, [(c.doc_id, c.start) for c in candidates]) if self.similarity else {}
        w = self.coverage_weight_english if question.english else self.coverage_weight
        floor = self.sim_floor_english if question.english else self.sim_floor
        concept = {t: v for t, v in weights.items() if t in set(question.subject)}
        concept_total = sum(concept.values())
        for c in candidates:
            # A named thing the report states elsewhere (the event's place or year) counts as said;
            # a term of the sentence just before (what "gồm:" or "đồng chí" refers to) or of the
            # report's opening (which names the event every sentence is about) counts half.
            tokens = set(lexical_tokens(c.text)).union(*(lexical_tokens(e) for e in c.entities))
            context = (set(lexical_tokens(c.context)) | openings[c.doc_id]) - tokens
            c.coverage = _covered(weights, tokens, context) / total if total else 0.0
            c.concept = _covered(concept, tokens, context) / concept_total if concept_total else 1.0
            c.similarity = sims.get((c.doc_id, c.start), 0.0)
            if sims:
                rescaled = min(1.0, max(0.0, (c.similarity - floor) / self.sim_span))
                c.evidence = w * c.coverage + (1 - w) * rescaled
            else:
                c.evidence = c.coverage
            c.typed = states_kind(c.text, question.kind, question.counted)
            c.score = c.evidence + (self.type_bonus if c.typed else 0.0) + self.rank_bonus / (1 + c.rank)
        candidates.sort(key=lambda c: (-c.score, c.rank, c.start))

    def _thresholds(self, question: Question) -> tuple[float, float]:
        """(minimum evidence, minimum subject coverage) for this question's language."""
        if question.english:
            return self.min_evidence_english, self.min_concept_english
        return self.min_evidence, self.min_concept_coverage

    def _why_not(self, question: Question, candidates: list[Candidate]) -> str:
        """The first test that every candidate failed, in the order they are applied."""
        threshold, concept = self._thresholds(question)
        passing = [c for c in candidates if c.evidence >= threshold]
        if not passing:
            best = max(candidates, key=lambda c: c.evidence)
            return f"weak evidence ({best.evidence:.2f} < {threshold:.2f})"
        passing = [c for c in passing if c.concept >= concept]
        if not passing:
            return "the question's subject is not in the passages"
        passing = [c for c in passing if c.typed or question.kind not in STRICT_KINDS]
        if not passing:
            return f"no sentence states the {question.kind} asked for"
        return "no matching sentence names what the question names"

    def _select(self, question: Question, usable: list[Candidate], entities: set[str]) -> list[Candidate] | None:
        lead = usable[0]
        chosen = [lead]
        # A question naming things in two reports (a comparison): cover each named thing.
        for entity in sorted(entities - lead.entities):
            if any(entity in c.entities for c in chosen):
                continue
            extra = next((c for c in usable if entity in c.entities), None)
            if extra is None:
                return None
            chosen.append(extra)
        limit = _MAX_SENTENCES.get(question.kind, 1)
        if question.plural or _COMPARE.search(fold(question.text)):
            limit = max(limit, 2)
        if question.across:  # "những hội nghị nào …": the best sentence of each report that has one
            for c in usable[1:]:
                if len(chosen) < 3 and c.doc_id not in {x.doc_id for x in chosen} and c.score >= 0.6 * lead.score:
                    chosen.append(c)
            return chosen
        for c in usable[1:]:
            if len(chosen) >= limit:
                break
            if c not in chosen and c.score >= 0.85 * lead.score and c.concept >= 0.8 * lead.concept:
                chosen.append(c)
        return chosen

    def _answer_metadata(self, question: Question, candidates: list[Candidate], reports: dict, named: bool) -> Answer:
        """Outlet and byline sit at the very end of an article, where retrieval rarely looks:
        answer them from the metadata extracted at ingest, citing where the text states it."""
        field_name = question.kind
        doc_ids = [c.doc_id for c in candidates if c.entities or not named]
        for doc_id in dict.fromkeys(doc_ids):
            report = reports[doc_id]
            value = _published(report.text) if field_name == "published" else report.meta.get(field_name, "")
            at = report.text.rfind(value) if value else -1
            if at < 0:
                continue
            span = next(s for s in split_spans(report.text) if s.start <= at < s.end)
            quote = report.text[span.start : span.end]
            title = report.meta.get("title", "")
            citation = Citation(1, doc_id, title, report.chunk_id_at(span.start), span.start, span.end, quote, 1.0)
            return Answer(question.text, f"{quote} [1]", False, [citation], reason=f"kind={field_name} from metadata")
        return self._refuse(question, f"the report does not state its {field_name}")

    def _compose(self, question: Question, chosen: list[Candidate]) -> Answer:
        citations, parts = [], []
        for marker, c in enumerate(chosen, start=1):
            citations.append(Citation(marker, c.doc_id, c.title, c.chunk_id, c.start, c.end, c.text, round(c.score, 4)))
            parts.append(f"{c.text} [{marker}]")
        return Answer(question.text, " ".join(parts), False, citations, reason=f"kind={question.kind}")

    def _refuse(self, question: Question, why: str) -> Answer:
        return Answer(question.text, REFUSAL, True, [], reason=why)



def _opening(report) -> str:
    """The title and the first sentence of the report's body."""
    spans = split_spans(report.text, 0, min(len(report.text), _LEDE_CHARS * 2))
    return " ".join(report.text[s.start : s.end] for s in spans[:2])


def _identity(report) -> str:
    """What names a report as a whole: its opening and its metadata (place, outlet, date)."""
    meta = report.meta
    fields = " ".join(str(meta.get(k, "")) for k in ("title", "place", "source", "date", "year"))
    return report.text[:_LEDE_CHARS] + "\n" + fields


def _covered(weights: dict[str, float], tokens: set[str], context: set[str]) -> float:
    return sum(w if t in tokens else 0.5 * w if t in context else 0.0 for t, w in weights.items())


def _published(text: str) -> str:
    """A timestamp line opening the article ("12:12, 19/12/2019") is when it was published."""
    first = text.split("\n", 1)[0]
    return first if re.fullmatch(r"\d{1,2}:\d{2},?\s+\d{1,2}/\d{1,2}/\d{4}", first) else ""
