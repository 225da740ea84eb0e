"""The default answerer: extractive, offline, every sentence cited; a pure function of the
evidence bundle (`rag.answer.evidence`).

It leads with the sentence that best carries the question and states the kind of fact
asked for, adds the sentences a list, a comparison or a "which reports" question needs,
cites only the clauses of a long sentence that state a typed fact (who, when, how many),
and refuses when the evidence is too weak: a named thing of the question is stated by no
retrieved report, too little of the question is in any sentence (its terms weighted by
rarity, and its meaning by sentence embedding), or no sentence states the asked kind.
Cosine similarity alone cannot make that call (answerable and unanswerable questions
overlap in cosine), so it is one signal beside the passage's own words, read in standard
deviations above the corpus background so that one threshold holds for any model.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.runnables import RunnableSerializable

from rag.answer.citations import REFUSAL, Answer, Citation, inert
from rag.answer.evidence import META_KINDS, RESTATES_BELOW, Evidence, SentenceEvidence
from rag.answer.kinds import STRICT_KINDS, answer_spans, contains_phrase, keys, numbers_items
from rag.answer.table_cells import asked_cells, cell_answer, done_not_planned
from rag.text.normalize import fold

_COMPARE = re.compile(r"\b(so sanh|ca hai|khac nhau|giong nhau|compare|both)\b")
_MAX_SENTENCES = {"list": 3, "other": 2, "reason": 2}
# Kinds whose plural ("những tỉnh nào", "những ai") is answered by an enumeration.
_LISTED_KINDS = frozenset({"place", "person", "org"})


@dataclass
class _Scored:
    s: SentenceEvidence
    evidence: float
    score: float


class ExtractiveAnswerer(RunnableSerializable[Evidence, Answer]):
    """Input: `Evidence`. Output: a cited `Answer` or a refusal with its reason.

    Thresholds were fitted on the dev questions of both corpora (`eval/fit_thresholds.py`:
    the seeds and a health-news corpus) and reported on their test questions. Similarity
    limits are in standard deviations above the corpus background (`CorpusStats`), so they
    do not depend on the embedding model."""

    # evidence = w * coverage + (1 - w) * rescaled similarity
    coverage_weight: float = 0.7
    coverage_weight_english: float = 0.5
    min_evidence: float = 0.35
    min_evidence_english: float = 0.35
    min_concept_coverage: float = 0.2  # of the terms outside the named things
    min_concept_english: float = 0.4
    sim_z_floor: float = -2.3  # cosine in standard deviations above unrelated sentences
    sim_z_floor_english: float = -4.8  # English questions get the lowest similarities of all
    sim_z_span: float = 4.6
    type_bonus: float = 0.2
    # one more sentence scoring this share of the lead's, while the answer stays this short
    support_ratio: float = 0.6
    answer_chars: int = 275  # fitted on dev with the median answer kept under 250 characters
    max_sentences: int = 3
    meaning_weight: float = 0.4
    rank_bonus: float = 0.02
    # for a typed fact (who, when, how many…), cite the ";"-clauses of a long sentence that state it
    # and keep this share of the sentence's coverage: the answer, not its surroundings (an open
    # "what" answer may run on past a ";", so it keeps the sentence)
    narrow_ratio: float = 0.9

    def invoke(self, input: Evidence, config=None, **kwargs) -> Answer:
        ev = input
        question = ev.question
        if not ev.sentences:
            return self._refuse(ev, "no passage was retrieved")
        if ev.missing:
            return self._refuse(ev, f"not in the retrieved reports: {', '.join(sorted(ev.missing))}")
        if question.kind in META_KINDS:
            return self._answer_metadata(ev)
        scored = self._score(ev)
        usable = self._usable(ev, scored)
        if not usable:
            return self._refuse(ev, self._why_not(ev, scored))
        if asks_list(ev):
            listed = self._section_list(ev, usable)
            if listed is not None:
                return listed
            # prefer the sentences holding a list, if nearly as relevant
            best = max(c.evidence for c in usable)
            lists = [c for c in usable if c.s.holds_list and c.s.states_kind and c.evidence >= 0.8 * best]
            if lists:
                usable = lists
            elif question.kind == "list":
                # "… gồm các nội dung sau. Trong đó, A; B; C.": the list follows the sentence matching the question
                follow = _following(usable[0], scored)
                if follow is not None and follow.s.holds_list:
                    return self._compose(ev, [usable[0], follow])
        chosen = self._select(ev, usable, scored)
        if chosen is None:
            return self._refuse(ev, "the named things are not stated together with an answer")
        return self._compose(ev, _with_answering_neighbour(ev, chosen, scored))

    def _section_list(self, ev: Evidence, usable: list[_Scored]) -> Answer | None:
        """"Nhiệm vụ trọng tâm gồm những gì?": the list items under the heading that matches, each cited."""
        best = max(c.evidence for c in usable)
        # the heading that is the part the question names ("Chương 2 gồm những mục nào?": "CHƯƠNG II: …")
        head = next((c for c in usable if c.s.items and c.s.heading and _states_part(ev, c.s.text)), None)
        head = head or next((c for c in usable if c.s.items and c.evidence >= 0.8 * best), None)
        # a sentence that numbers the list itself ("3 nhóm giải pháp gồm: (1) …; (2) …") and scores
        # higher is the answer; a section's items are the answer when nothing says it better
        if head is None or any(c.score > head.score and numbers_items(c.s.text) for c in usable):
            return None
        citations, parts = [], []
        for marker, item in enumerate(head.s.items, start=1):
            citations.append(Citation(marker, head.s.doc_id, head.s.title, head.s.chunk_id, item.start, item.end,
                                      item.text, round(head.score, 4)))
            parts.append(f"{inert(item.text)} [{marker}]")
        return Answer(ev.question.text, "\n".join(parts), False, citations, reason="kind=list (the items of a section)")

    def usable(self, ev: Evidence) -> list[SentenceEvidence]:
        """The candidate sentences that could answer, best first (what a generator may be shown)."""
        if not ev.sentences or ev.missing or ev.question.kind in META_KINDS:
            return []
        return [c.s for c in self._usable(ev, self._score(ev))]

    # --- steps ---
    def _usable(self, ev: Evidence, scored: list[_Scored]) -> list[_Scored]:
        min_evidence, min_concept = self._thresholds(ev)
        usable = [
            c for c in scored
            if c.evidence >= min_evidence
            and c.s.concept >= min_concept
            and (c.s.states_kind_with_names or ev.question.kind not in STRICT_KINDS)
            and (c.s.entities or not ev.entities)
            and not c.s.other_office
            and not c.s.other_year
            # "Trưởng Ban X là ai?": the person is named with that office
            and (c.s.office or ev.question.kind != "person" or not ev.offices)
            and not (c.s.heading and not c.s.items)  # a heading alone says nothing
        ]
        return done_not_planned(ev.question.text, usable, lambda c: c.s.text)

    def _score(self, ev: Evidence) -> list[_Scored]:
        english = ev.question.english
        w = self.coverage_weight_english if english else self.coverage_weight
        floor = self.sim_z_floor_english if english else self.sim_z_floor
        out = []
        for s in ev.sentences:
            meaning = s.similarity_z is not None
            rescaled = min(1.0, max(0.0, (s.similarity_z - floor) / self.sim_z_span)) if meaning else 0.0
            evidence = w * s.coverage + (1 - w) * rescaled if meaning else s.coverage
            # Ranking (not refusing) weighs meaning more: a paraphrase shares few words with its answer.
            score = (evidence + (self.type_bonus if s.states_kind else 0.0) + self.rank_bonus / (1 + s.rank)
                     + self.meaning_weight * rescaled)
            out.append(_Scored(s, evidence, score))
        out.sort(key=lambda c: (-c.score, c.s.rank, c.s.start))
        return out

    def _thresholds(self, ev: Evidence) -> tuple[float, float]:
        """(minimum evidence, minimum subject coverage) for this question's language."""
        if ev.question.english:
            return self.min_evidence_english, self.min_concept_english
        return self.min_evidence, self.min_concept_coverage

    def _why_not(self, ev: Evidence, scored: list[_Scored]) -> str:
        """The first test that every candidate failed, in the order they are applied."""
        min_evidence, min_concept = self._thresholds(ev)
        passing = [c for c in scored if c.evidence >= min_evidence]
        if not passing:
            best = max(scored, key=lambda c: c.evidence)
            return f"weak evidence ({best.evidence:.2f} < {min_evidence:.2f})"
        passing = [c for c in passing if c.s.concept >= min_concept]
        if not passing:
            return "the question's subject is not in the passages"
        passing = [c for c in passing if c.s.states_kind or ev.question.kind not in STRICT_KINDS]
        if not passing:
            return f"no sentence states the {ev.question.kind} asked for"
        named = [c for c in passing if c.s.entities or not ev.entities]
        if named and all(c.s.other_year for c in named):
            return "the passages are about another year"
        if named and all(c.s.other_office for c in named):
            return "the passages name that office only as deputy, former or acting"
        if named and ev.question.kind == "person" and ev.offices and not any(c.s.office for c in named):
            return "no passage names a person with the office asked about"
        return "no matching sentence names what the question names"

    def _select(self, ev: Evidence, usable: list[_Scored], scored: list[_Scored]) -> list[_Scored] | None:
        question = ev.question
        lead = _naming_everything(ev, usable)
        chosen = [lead]
        # A question naming things in two reports (a comparison): cover each named thing.
        for entity in sorted(set(ev.entities) - lead.s.entities):
            if any(entity in c.s.entities for c in chosen):
                continue
            extra = next((c for c in usable if entity in c.s.entities), None)
            if extra is None:
                return None
            chosen.append(extra)
        limit = _MAX_SENTENCES.get(question.kind, 1)
        if question.plural or _COMPARE.search(fold(question.text)):
            limit = max(limit, 2)
        if question.across:  # "những hội nghị nào …": the best sentence of each report that has one
            for c in usable[1:]:
                if len(chosen) < 3 and c.s.doc_id not in {x.s.doc_id for x in chosen} and c.score >= 0.6 * lead.score:
                    chosen.append(c)
            return _with_ledes(ev, chosen, scored)
        for c in usable[1:]:
            if len(chosen) >= limit:
                break
            if c not in chosen and c.score >= 0.85 * lead.score and c.s.concept >= 0.8 * lead.s.concept:
                chosen.append(c)
        # A short answer may carry one more sentence that is nearly as good: two short sentences
        # about the same thing answer more often than one, and still read as a short answer.
        for c in usable[1:]:
            length = sum(len(x.s.text) for x in chosen)
            if len(chosen) >= self.max_sentences or c in chosen:
                continue
            if (c.score >= self.support_ratio * lead.score and length + len(c.s.text) <= self.answer_chars
                    and c.s.entities >= lead.s.entities):  # about the same named things
                chosen.append(c)
        return chosen

    def _answer_metadata(self, ev: Evidence) -> Answer:
        """Outlet and byline sit at the very end of an article, where retrieval rarely looks:
        they come from the metadata extracted at ingest, citing where the text states it."""
        if not ev.metadata:
            return self._refuse(ev, f"the report does not state its {ev.question.kind}")
        m = ev.metadata[0]
        citation = Citation(1, m.doc_id, m.title, m.chunk_id, m.start, m.end, m.text, 1.0)
        return Answer(ev.question.text, f"{inert(m.text)} [1]", False, [citation], reason=f"kind={m.field} from metadata")

    @staticmethod
    def _refuse(ev: Evidence, why: str) -> Answer:
        return Answer(ev.question.text, REFUSAL, True, [], reason=why)


    def _compose(self, ev: Evidence, chosen: list[_Scored]) -> Answer:
        citations, parts = [], []
        listing = asks_list(ev)
        for marker, c in enumerate(chosen, start=1):
            s = c.s
            cells = asked_cells(s.text, ev.question.text)
            if cells is not None:  # a table row: the cell asked for, under its column's name; the row cited
                spans = tuple((s.start + cell.start, s.start + cell.end) for cell in cells[1])
                citations.append(Citation(marker, s.doc_id, s.title, s.chunk_id, s.start, s.end, s.text,
                                          round(c.score, 4), highlights=spans))
                parts.append(f"{inert(cell_answer(*cells))} [{marker}]")
                continue
            start, end = (s.start, s.end) if listing and s.holds_list else self._narrowed(s, ev.question.kind)
            quote = s.text[start - s.start : end - s.start]
            spans = tuple((start + a, start + b) for a, b in answer_spans(quote, ev.question))
            citations.append(Citation(marker, s.doc_id, s.title, s.chunk_id, start, end, quote, round(c.score, 4),
                                      highlights=spans))
            before = "… " if start > s.start else ""
            after = " …" if end < s.end else ""
            parts.append(f"{before}{inert(quote)}{after} [{marker}]")
        words_only = "" if all(c.s.similarity_z is not None for c in chosen) else " (words only: no sentence vectors)"
        return Answer(ev.question.text, " ".join(parts), False, citations, reason=f"kind={ev.question.kind}{words_only}")

    def _narrowed(self, s: SentenceEvidence, kind: str) -> tuple[int, int]:
        """The shortest clause run that carries (nearly) all the sentence does, else the sentence."""
        if kind not in STRICT_KINDS or not s.states_kind:
            return s.start, s.end
        for part in s.parts:
            if part.states_kind and part.coverage >= self.narrow_ratio * s.coverage:
                return part.start, part.end
        return s.start, s.end


def asks_list(ev: Evidence) -> bool:
    """A list, or several people/places/bodies (\"những tỉnh nào\")."""
    return ev.question.kind == "list" or (ev.question.plural and ev.question.kind in _LISTED_KINDS)


def _states_part(ev: Evidence, text: str) -> bool:
    """The text names one of the numbered parts the question does, in any of its spellings."""
    return any(contains_phrase(*keys(text), x) for p in ev.question.parts for x in ev.question.spellings(p))


WHOLE_NAMES_RATIO = 0.85


def _naming_everything(ev: Evidence, usable: list[_Scored]) -> _Scored:
    """The best candidate, or one nearly as good that states every named thing the question does
    while the best leaves some out ("năm 2020 tỉnh Sơn La": the province's row under the 2020
    group beats the sentence about all six provinces in 2020)."""
    lead = usable[0]
    everything = frozenset(ev.entities)
    if lead.s.entities >= everything:
        return lead
    return next((c for c in usable[1:] if c.s.entities >= everything and c.score >= WHOLE_NAMES_RATIO * lead.score), lead)


def _with_ledes(ev: Evidence, chosen: list[_Scored], scored: list[_Scored]) -> list[_Scored]:
    """Each report's opening sentence (which names its event: where, when) with its match,
    in the report's order."""
    by_start = {(c.s.doc_id, c.s.start): c for c in scored}
    out: list[_Scored] = []
    for c in chosen:
        lede = by_start.get((c.s.doc_id, ev.ledes.get(c.s.doc_id, -1)))
        pair = [lede, c] if lede is not None and lede is not c and lede not in out else [c]
        out += sorted(pair, key=lambda x: x.s.start)
    return out


def _with_answering_neighbour(ev: Evidence, chosen: list[_Scored], scored: list[_Scored]) -> list[_Scored]:
    """A lead that only restates the question ("Cách này giúp …", "X đã làm Y." for "Vì sao X làm
    Y?") is joined by the neighbour it leans on: the sentence before when it points back, else the
    one after. A typed fact it states itself needs no neighbour."""
    lead = chosen[0].s
    if lead.novelty >= RESTATES_BELOW or (ev.question.kind in STRICT_KINDS and lead.states_kind):
        return chosen
    n = lead.previous if lead.points_back else lead.following
    x = next((c for c in scored if n and c.s.doc_id == lead.doc_id and c.s.start == n.start), None)
    if x is None or x in chosen:
        return chosen
    return [x, *chosen] if lead.points_back else [chosen[0], x, *chosen[1:]]


def _following(c: _Scored, scored: list[_Scored]) -> _Scored | None:
    """The candidate right after `c` in its paragraph, if it is one."""
    nxt = c.s.following
    return next((x for x in scored if nxt and x.s.doc_id == c.s.doc_id and x.s.start == nxt.start), None)
