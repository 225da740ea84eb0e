"""The LLM answerer: a chat model writes a short answer from the passages the evidence step
selected, and the verifier keeps only the sentences its passages support.

The decision to answer stays with the evidence: the extractive answerer runs first as the
gate, and when it refuses, no model is called. Lists, answers spanning several reports and the
names of bodies and resolutions are quoted (the extractive answer): a small model drops items of
an enumeration and shortens official names. The model may still say the passages do not answer
(a refusal); it never decides alone that something is in the reports. When no
generated sentence survives verification, or none states the kind of fact asked (a number for
"bao nhiêu"), or one turned a passage around (dropped its "không" or "ngoài"), the extractive
answer is returned, flagged.

Any LangChain chat model works (`rag.generators.chat_model`): a local GGUF through
llama-cpp-python, or an OpenAI-compatible server.
"""
from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableSerializable
from pydantic import ConfigDict, Field

from rag.answer.citations import REFUSAL, Answer, Citation
from rag.answer.evidence import META_KINDS, Evidence, SentenceEvidence
from rag.answer.extractive import ExtractiveAnswerer, asks_list
from rag.answer.kinds import (
    STRICT_KINDS, answer_spans, keys, names_role, offices_named, person_names, places_left_out, states_kind,
)
from rag.answer.verifier import Passage, verify
from rag.text.normalize import fold

_PROMPT_FILE = Path(__file__).with_name("prompt_vi.toml")
QUOTED_KINDS = ("resolution", "org")  # official names: quoted, not rewritten
_COMMA = re.compile(r", ")


@lru_cache(maxsize=1)
def _prompt_file() -> dict:
    return tomllib.loads(_PROMPT_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def prompt() -> tuple[str, ChatPromptTemplate]:
    """(version, template) of the prompt file."""
    data = _prompt_file()
    messages = [("system", data["system"])]
    for example in data.get("examples", []):  # literal turns: braces in them are not template fields
        messages += [("human", _literal(example["user"])), ("ai", _literal(example["assistant"]))]
    return data["version"], ChatPromptTemplate.from_messages([*messages, ("human", data["user"])])


@lru_cache(maxsize=1)
def followup_prompt() -> ChatPromptTemplate:
    """The prompt that makes a follow-up question standalone (same file, same version)."""
    data = _prompt_file()["followup"]
    return ChatPromptTemplate.from_messages([("system", data["system"]), ("human", data["user"])])


def _literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class GeneratedAnswerer(RunnableSerializable[Evidence, Answer]):
    """Input: `Evidence`. Output: an `Answer` of verified generated sentences, each cited."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    chat: BaseChatModel
    generator: str = "llm"  # what the answers say wrote them: "llm:<model>"
    gate: ExtractiveAnswerer = Field(default_factory=ExtractiveAnswerer)
    passages: int = 5  # short prompts: prompt reading dominates on a CPU

    def invoke(self, input: Evidence, config=None, **kwargs) -> Answer:
        for event in self.events(input, config):
            if isinstance(event, Answer):
                return event
        raise RuntimeError("the generator ended without an answer")

    def events(self, ev: Evidence, config=None) -> Iterator[str | Answer]:
        """The generated text as it comes (str pieces), then the verified `Answer`."""
        gated = self.gate.invoke(ev)
        if gated.refused:
            yield dataclasses.replace(gated, generator=self.generator)
            return
        if asks_list(ev) or ev.question.across or len({c.doc_id for c in gated.citations}) > 1 \
                or ev.question.kind in QUOTED_KINDS + META_KINDS:
            # quoted whole: enumerations and answers spanning reports (a small model drops items:
            # list questions 0.52 generated vs 0.81 quoted on the seeds), the names of bodies and
            # resolutions, which it shortens ("Nghị quyết Trung ương 4 khóa XI, XII về …" -> "NQ T.Ư4"),
            # and what the report's metadata states (outlet, byline, date)
            yield dataclasses.replace(gated, generator="extractive (quoted)",
                                      reason=f"{gated.reason}; quoted: a list, several reports or an official name")
            return
        passages = self.select(ev, gated)
        _, template = prompt()
        messages = template.format_messages(
            passages="\n".join(f"[{p.marker}] {p.sentence.text}" for p in passages), question=ev.question.text
        )
        pieces = []
        for chunk in self.chat.stream(messages, config):
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if piece:
                pieces.append(piece)
                yield piece
        yield self.checked(ev, "".join(pieces), passages, gated)

    def select(self, ev: Evidence, gated: Answer) -> list[Passage]:
        return select_passages(ev, gated, self.gate.usable(ev), self.passages)

    def checked(self, ev: Evidence, text: str, passages: list[Passage], gated: Answer) -> Answer:
        """The answer made of the generated sentences that verify, renumbered in order."""
        question = ev.question.text
        if fold(REFUSAL).rstrip(".") in fold(text) and "[" not in text:
            return Answer(question, REFUSAL, True, [], reason="the model found no answer in the passages",
                          generator=self.generator)
        checks = verify(text, passages, ev.entities, question)
        kept = [c for c in checks if c.verified]
        trail = [{"text": c.text, "verified": c.verified, "note": c.note} for c in checks]
        kind = ev.question.kind
        if misread := [c for c in checks if c.misread]:
            # the model turned a passage around ("ngoài giờ" -> "trong giờ"): what else it wrote
            # from the same reading is not to be trusted either, so the passages speak for themselves
            return dataclasses.replace(gated, generator="extractive (quoted)", sentences=trail,
                                       reason=f"{gated.reason}; quoted: {misread[0].note}")
        why = "no generated sentence verified" if not kept else (
            f"no generated sentence states the {kind} asked for"
            if kind in STRICT_KINDS and not any(states_kind(c.text, ev.question) for c in kept) else "")
        if why:
            return dataclasses.replace(gated, generator="extractive (llm unverified)", sentences=trail,
                                       reason=f"{gated.reason}; {why}")
        if kind == "role" and (left_out := _offices_left_out(ev, gated, " ".join(c.text for c in kept))):
            # a person's offices are official titles: all of them, or the passage's words
            return dataclasses.replace(gated, generator="extractive (quoted)", sentences=trail,
                                       reason=f"{gated.reason}; quoted: the model left out {', '.join(left_out)}")
        citations: list[Citation] = []
        markers: dict[tuple[str, int, int], int] = {}
        parts = []
        for c in kept:
            s = c.passage.sentence
            key = (s.doc_id, c.start, c.end)
            if key not in markers:
                markers[key] = len(markers) + 1
                quote = s.text[c.start - s.start : c.end - s.start]
                spans = tuple((c.start + a, c.start + b) for a, b in answer_spans(quote, ev.question))
                citations.append(Citation(markers[key], s.doc_id, s.title, s.chunk_id, c.start, c.end, quote, 1.0,
                                          highlights=spans))
            text = c.text if c.text[-1] in ".!?…" else c.text + "."  # "… [1]." reads as "…. [1]" does
            parts.append(f"{text} [{markers[key]}]")
        reason = f"kind={ev.question.kind}; {len(kept)}/{len(checks)} generated sentences verified"
        return Answer(question, " ".join(parts), False, citations, reason=reason, generator=self.generator,
                      sentences=trail)


def _sentence_of(ev: Evidence, c: Citation) -> SentenceEvidence | None:
    """The candidate sentence a citation quotes (none for a metadata answer's)."""
    return next((s for s in ev.sentences if s.doc_id == c.doc_id and s.start <= c.start < s.end), None)


def _offices_left_out(ev: Evidence, gated: Answer, generated: str) -> list[str]:
    """The offices the leading passage gives the asked person that the generated text does not name,
    and the place of a body it names without one ("Phó Bí thư Tỉnh ủy" when the passage says
    "tỉnh Hòa Lộc")."""
    lead = _sentence_of(ev, gated.citations[0])
    span = _titles_around(lead, ev.entities) if lead is not None else None
    if span is None:
        return []
    said = set(offices_named(generated))
    offices = [o for o in offices_named(lead.text[span[0] - lead.start : span[1] - lead.start]) if o not in said]
    return offices + places_left_out(lead.text, generated)


def select_passages(ev: Evidence, gated: Answer, usable: list[SentenceEvidence], limit: int) -> list[Passage]:
    """The sentences the extractive answer cites, then the next usable ones, numbered from 1."""
    chosen: list[SentenceEvidence] = []
    for c in gated.citations:
        s = _sentence_of(ev, c)
        if s is not None and s not in chosen:
            chosen.append(s)
    for s in usable:
        if len(chosen) >= limit:
            break
        if s not in chosen:
            chosen.append(s)
    return [Passage(n, s) for n, s in enumerate(chosen, start=1)]


def _titles_around(s: SentenceEvidence, entities: tuple[str, ...]) -> tuple[int, int] | None:
    """The comma clauses naming the asked person and the offices next to it: "Phát biểu, Phó Bí
    thư Tỉnh ủy Nguyễn Văn A khẳng định …" -> "Phó Bí thư Tỉnh ủy Nguyễn Văn A khẳng định …";
    "Ông B, Ủy viên X, Trưởng Ban Y và ông C, …" -> up to the clause naming someone else."""
    key, folded = keys(s.text)
    if len(key) != len(s.text):  # offsets of the match key are the text's
        return None
    cuts = [0] + [m.end() for m in _COMMA.finditer(s.text)]
    clauses = [(a, b) for a, b in zip(cuts, cuts[1:] + [len(s.text)])]
    clause = [s.text[a:b] for a, b in clauses]

    def asked(i: int) -> bool:
        a, b = clauses[i]
        return any(e in (key if fold(e) != e else folded)[a:b] for e in entities)

    def someone_else(i: int) -> bool:
        return any(not any(e in keys(n)[0] or e in keys(n)[1] for e in entities) for n in person_names(clause[i]))

    named = [i for i in range(len(clauses)) if asked(i)]
    if not named or len(clauses) < 2:
        return None
    first = last = named[0]
    while first > 0 and not names_role(clause[first]) and names_role(clause[first - 1]):
        first -= 1
    while last + 1 < len(clauses) and names_role(clause[last + 1]) and not someone_else(last):
        last += 1
    start, end = s.start + clauses[first][0], s.start + clauses[last][1]
    if not names_role(s.text[start - s.start : end - s.start]):
        return None
    while end > start and s.text[end - s.start - 1] in " ,;:":
        end -= 1
    return start, end
