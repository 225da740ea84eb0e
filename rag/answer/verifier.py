"""Checks a generated answer sentence by sentence against the passages it was given.

A sentence is kept only when a passage it cites (or, when it cites none or a wrong one,
another given passage) supports it:
- the marker names a passage that was given (a fabricated `[9]` supports nothing);
- every name, number, date and code in the sentence occurs in that passage or in the report
  title (a number whole, with the noun it counts, unless the sentence repeats that phrase from
  the question: "Hội nghị năm 2024 của …" needs only 2024 in the passage); so do the
  question's capitalised words the sentence repeats ("hạng Ba", "số IV"); a named thing the question asks about may also be
  stated elsewhere in the passage's report (the evidence step found it there) — so a
  near-miss ("… số 5" when the reports say "số 3") fails;
- the passage (or its report) states the question's named things: all of them, or, when no
  given passage states all (a question about two reports), at least one;
- most of the sentence's words are the passage's (no claim added around true names);
- it keeps the passage's negations: "khám trong giờ hành chính" from "khám ngoài giờ hành chính" misreads it
  (such a sentence is `misread`: the answer falls back to quoting);
- it states, not asks: a sentence with "bao nhiêu", "nào", "ai" restates the question.

Each kept citation is narrowed to the clauses of the passage sentence that state the
sentence's facts. Numbers are compared as written: a verified answer never rewrites them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.citations import MARKER
from rag.answer.evidence import SentenceEvidence
from rag.text.normalize import fold, match_key
from rag.text.profile import alternation, profile
from rag.text.sentences import split_spans
from rag.text.tokens import lexical_tokens

_WORD = re.compile(r"[^\W\d_]+")
_NUMBER = re.compile(r"\d+(?:[.,:/–-]\d+)*")
_YEAR = re.compile(r"(?:19|20)\d\d")
_ASKING = re.compile(rf"(?<!\w)(?:{alternation(profile().asking_words)})(?!\w)")
MIN_WORD_SHARE = 0.6


@dataclass(frozen=True)
class Passage:
    marker: int
    sentence: SentenceEvidence


@dataclass(frozen=True)
class Checked:
    text: str  # the generated sentence, markers removed
    passage: Passage | None  # the passage it is cited to (None: dropped)
    start: int  # the narrowed citation span in the report's cleaned text
    end: int
    verified: bool
    note: str  # why it was re-cited or dropped ("" when its own marker held)
    misread: bool = False  # it turned around a passage it cites (dropped a "không", "ngoài")


def split_generated(text: str) -> list[tuple[str, list[int]]]:
    """(sentence, the markers written after it) for each sentence of a generated answer.
    Markers written after the last sentence ("A. B. [1], [2]") belong to it."""
    clean, marks = [], []  # marks: (offset in the clean text, marker)
    cursor = 0
    for m in MARKER.finditer(text):
        clean.append(text[cursor : m.start()])
        marks.append((sum(map(len, clean)), int(m.group(1))))
        cursor = m.end()
    clean.append(text[cursor:])
    plain = "".join(clean)
    out: list[tuple[str, list[int]]] = []
    start = 0
    # sentence ends as the splitter sees them ("TP. Vĩnh Yên" is one sentence), a marker also ending one
    ends = {span.end for span in split_spans(plain)} | {at for at, _ in marks}
    bounds = sorted(e for e in ends if 0 < e < len(plain)) + [len(plain)]
    for end in bounds:
        sentence = plain[start:end].strip()
        markers = [n for at, n in marks if start < at <= end or (end == len(plain) and at > end)]
        if sentence.strip(" ,.;"):
            out.append((sentence, markers))
        elif out:  # a stray marker group: the sentence before it
            out[-1][1].extend(markers)
        start = end
    # markers right after a sentence's full stop sit past its end: "A. [1] B. [2]"
    return [(s.rstrip(), list(dict.fromkeys(ms))) for s, ms in out]


def facts(sentence: str) -> list[str]:
    """The names, numbers, dates and codes a sentence states: numbers as written, runs of two or
    more capitalised syllables (less the first word when the run opens the sentence: "Tại Hà
    Nội" → "Hà Nội"), and all-capital codes (HĐND, XIII)."""
    found = [m.group(0) for m in _NUMBER.finditer(sentence)]
    words = list(_WORD.finditer(sentence))
    run: list[re.Match] = []
    for w in [*words, None]:
        joined = w is not None and w.group(0)[0].isupper() and (
            not run or sentence[run[-1].end() : w.start()].strip() == "")
        if joined:
            run.append(w)
            continue
        if run and run[0].start() == len(sentence) - len(sentence.lstrip()):
            run = run[1:]  # a capital that only opens the sentence
        if len(run) >= 2:
            found.append(sentence[run[0].start() : run[-1].end()])
        run = [w] if w is not None and w.group(0)[0].isupper() else []
    found += [w.group(0) for w in words if len(w.group(0)) >= 2 and w.group(0).isupper()]
    return list(dict.fromkeys(found))


def _key(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", match_key(text))) + " "


def _states(haystack_key: str, fact: str) -> bool:
    """The fact, or a name without its first words ("Ông Trần Văn An" → "Trần Văn An", a name
    opening a sentence: "Khoa Nhi" → no), of at least two syllables."""
    words = _key(fact).split()
    if len(words) == 1 or not words[0].isalpha():
        return _key(fact) in haystack_key
    return any(" " + " ".join(words[i:]) + " " in haystack_key for i in range(len(words) - 1))


def turned_around(sentence: str, passage: Passage) -> str:
    """The negation the sentence drops: a phrase of the passage that follows "không", "chưa",
    "ngoài" … (two words), repeated by the sentence without one, when the passage never says it
    without one. "" when it keeps them all."""
    said, source = _key(sentence).split(), _key(passage.sentence.text).split()
    negations = profile().negations

    def plain_at(words: list[str], phrase: list[str]) -> list[bool]:
        """For each occurrence of the phrase: True when no negation stands before it."""
        n = len(phrase)
        return [i == 0 or words[i - 1] not in negations for i in range(len(words) - n + 1) if words[i : i + n] == phrase]

    for i, word in enumerate(source[:-2]):
        phrase = source[i + 1 : i + 3]
        if word in negations and not any(w in negations for w in phrase) \
                and any(plain_at(said, phrase)) and not any(plain_at(source, phrase)):
            return f"it leaves out '{word}' before '{' '.join(phrase)}' of passage [{passage.marker}]"
    return ""


def support(sentence: str, passage: Passage, question_entities: tuple[str, ...], all_named: bool = True,
            question: str = "") -> str:
    """"" when the passage supports the sentence, else what fails. `all_named`: the passage (or its
    report) must state every named thing of the question, else (a question about several reports)
    at least one."""
    s = passage.sentence
    if _ASKING.search(match_key(sentence)):
        return "it restates the question"
    absent = [e for e in question_entities if e not in s.entities]
    if absent and (all_named or len(absent) == len(question_entities)):
        return f"passage [{passage.marker}] is not about {', '.join(absent)}"
    raw = f"{s.text} {s.title}"  # not the sentence before: the citation must hold what it is cited for
    context = _key(raw)
    numbers = set(_NUMBER.findall(raw))
    asked = _key(question)
    for m in _NUMBER.finditer(sentence):
        # the whole number ("7" is not in "11.7"), and with the noun it counts when one follows ("6 năm")
        # and a year with the word before it ("năm 2019" is not "nhiệm kỳ 2019")
        counted = re.match(r"\s+([^\W\d_]+)", sentence[m.end() :])
        before = re.search(r"([^\W\d_]+)\s+$", sentence[: m.start()]) if _YEAR.fullmatch(m.group()) else None
        phrase = " ".join(w for w in (before and before.group(1), m.group(), counted and counted.group(1))
                          if w and not w[0].isupper())
        # a number phrase the sentence repeats from the question ("… năm 2024 của Hội …") is the
        # question's: the number itself must be in the passage, the words around it need not
        if m.group() not in numbers or (phrase != m.group() and _key(phrase) not in context and _key(phrase) not in asked):
            return f"'{phrase}' is not in passage [{passage.marker}]"
    stated_elsewhere = [fold(e) for e in s.entities]
    for fact in [f for f in facts(sentence) if not _NUMBER.fullmatch(f)] + _asked_marks(question, sentence):
        if _states(context, fact) or any(fold(fact) in e or e in fold(fact) for e in stated_elsewhere):
            continue  # in the passage, or a named thing of the question that the passage's report states
        return f"'{fact}' is not in passage [{passage.marker}]"
    if why := turned_around(sentence, passage):
        return why
    words = set(lexical_tokens(sentence))
    if words:
        have = set(lexical_tokens(context))
        share = len(words & have) / len(words)
        if share < MIN_WORD_SHARE:
            return f"only {share:.0%} of its words are in passage [{passage.marker}]"
    return ""


def _asked_marks(question: str, sentence: str) -> list[str]:
    """Capitalised words and codes of the question ("hạng Ba", "số IV") that the sentence repeats:
    what tells a near-miss question from the one the passage answers."""
    words = [w.group(0) for w in _WORD.finditer(question)][1:]  # the first word is capitalised anyway
    said = set(_key(sentence).split())
    return [w for w in words if w[0].isupper() and _key(w).strip() in said]


def narrow(sentence: str, passage: Passage) -> tuple[int, int]:
    """The shortest clause run of the passage sentence that states all of the sentence's facts."""
    s = passage.sentence
    stated = [f for f in facts(sentence) if _states(_key(s.text), f)]
    if stated:
        for part in s.parts:
            text = _key(s.text[part.start - s.start : part.end - s.start])
            if all(_key(f) in text for f in stated):
                return part.start, part.end
    return s.start, s.end


def verify(generated: str, passages: list[Passage], question_entities: tuple[str, ...] = (),
           question: str = "") -> list[Checked]:
    """Every sentence of `generated`, kept (cited to a passage that supports it) or dropped."""
    by_marker = {p.marker: p for p in passages}
    # one passage names everything the question names: each sentence must cite such a passage
    all_named = any(set(question_entities) <= p.sentence.entities for p in passages)
    out = []
    for sentence, markers in split_generated(generated):
        notes = [f"[{n}] was not given" for n in markers if n not in by_marker]
        own = [by_marker[n] for n in markers if n in by_marker]
        chosen, note = None, ""
        misread = any(turned_around(sentence, p) for p in own)
        for p in own:
            why = support(sentence, p, question_entities, all_named, question)
            if not why:
                chosen = p
                break
            notes.append(why)
        if chosen is None:  # no marker, or none that holds: the first given passage that does
            chosen = next((p for p in passages if p not in own and not support(sentence, p, question_entities, all_named, question)), None)
            if chosen is not None:
                note = "re-cited: " + ("; ".join(notes) if notes else "no marker")
            else:
                note = "dropped: " + ("; ".join(notes) if notes else "no marker and no passage supports it")
        elif notes:
            note = "; ".join(notes)
        if chosen is None:
            out.append(Checked(sentence, None, -1, -1, False, note, misread))
        else:
            start, end = narrow(sentence, chosen)
            out.append(Checked(sentence, chosen, start, end, True, note, misread))
    return out
