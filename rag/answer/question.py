"""What a question asks for: the kind of fact, its content terms, and the named things
(names, places, numbers, years, roman numerals) an answer must be tied to.

Works on questions typed with or without diacritics, and on English questions.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.text.glossary import translate_terms
from rag.text.normalize import clean_unicode, fold, has_diacritics, match_key, words
from rag.text.profile import alternation, profile
from rag.text.tokens import EN_MARKERS, is_english, is_stopword, query_tokens

_P = profile()
# Kinds of fact, detected on the folded question (so `o dau` works like `ở đâu`); first match wins.
_KINDS = _P.question_kinds
_COUNT = re.compile(rf"\b{alternation(_P.count_leads)}\s+(\w+(?:\s\w+)?)")
_ACROSS = _P.across
_PLURAL = re.compile(rf"\b{alternation(_P.plural)}\b")

# Words that ask rather than name. Compared accented when typed with diacritics, because
# folded `dau` is also `đầu` and `bao` also `báo`; typed plain, only unambiguous folds count.
_QUESTION_WORDS = _P.question_words
_QUESTION_WORDS_PLAIN = _P.question_words_plain
# Words that frame what is asked ("giữ chức vụ gì"): the answer states the fact, not these
# words, so they do not count as the question's subject. Typed plain, only safe folds.
_FRAME_WORDS = _P.frame_words
_FRAME_WORDS_PLAIN = _P.frame_words_plain
# Capitalized words every report may share (institutions, titles, dates): not names that
# tell a report apart. Compared accented, because folding would make a name syllable look
# generic; typed plain, only folds that are not also name syllables.
_GENERIC_CAPS = _P.generic_caps
# English function words only where they are not also Vietnamese syllables ("an" in "Bình An").
_GENERIC_PLAIN = _P.generic_plain | EN_MARKERS | _QUESTION_WORDS_PLAIN
_ROMAN = re.compile(r"^[IVXLC]+$")
_YEAR = re.compile(r"\b(19|20)\d{2}$")
_NUMBER_LEAD = _P.number_lead
_PART_LABELS_PLAIN = frozenset(fold(w) for w in _P.part_labels)
# A named thing right after these words places the event ("hội nghị ở <nơi>"):
# the report as a whole may state it; other named things must be in the answer sentence.
_LOCATIVE = _P.locative
# Common words that open a question with a capital ("Ngoài <tên>, …"): not part of a name.
_OPENERS = _P.openers
# Words that end a name written in sentence case: what follows them is the rest of the question.
_NAME_ENDS = _P.name_ends
_WIDESPREAD = 0.5  # of the reports
_DOCUMENT_BEFORE = re.compile(rf"\b{alternation(_P.resolution_words)}(?:\s+số)?$", re.IGNORECASE)
_ACRONYM = re.compile(r"\b[A-ZĐ]{2,}\b")
_TOKEN = re.compile(r"[\w][\w./-]*\w|\w", re.UNICODE)


@dataclass(frozen=True)
class Question:
    text: str
    kind: str  # source | author | published | number | date | place | role | person | org | resolution | list | other
    english: bool
    terms: tuple[str, ...]  # lexical tokens without question words (folded, ~accented, bigrams)
    core: tuple[str, ...]  # the terms an answer sentence should carry: all but framing words
    subject: tuple[str, ...]  # the core terms that do not touch a named thing
    entities: tuple[str, ...]  # phrases (match keys; folded when typed without diacritics)
    event_entities: frozenset[str]  # the entities that place the event ("ở X", "số III"): anywhere in its report
    years: frozenset[str] = frozenset()  # years name the event too, but only in the report's opening or date
    counted: str = ""  # folded noun after "bao nhiêu" ("tinh"), for number questions
    plural: bool = False  # asks for several things ("những", "các")
    across: bool = False  # asks which reports/conferences: one sentence from each report
    # a sentence-case name the question writes out ("Luật Bảo vệ môi trường" -> entity "luật bảo")
    # and reports shorten to its initials: {"luật bảo": ("luat bvmt",)}, folded
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def parts(self) -> tuple[str, ...]:
        """The numbered parts of a report it names ("phụ lục 02", "mục 2.4")."""
        return tuple(e for e in self.entities if len(w := e.split()) >= 2 and _part_label(w, len(w) - 1))

    def spellings(self, entity: str) -> tuple[str, ...]:
        """The entity and the abbreviations a report may write for it."""
        return (entity, *dict(self.aliases).get(entity, ()))


def analyze(question: str, report_share: Callable[[str], float] | None = None) -> Question:
    """`report_share(word)`: the share of the indexed reports using a word (`CorpusStats`); a lone
    capitalised word that half the reports use is not a name that tells one apart."""
    text = clean_unicode(question).strip()
    english = is_english(text)
    folded = fold(text)
    # Acronyms (WHO, AI) are names, not the question words they spell.
    kind = _kind(text, fold(_ACRONYM.sub(" ", text)))
    entities, event, aliases = _entities(text, report_share)
    named = set().union(*(query_tokens(e) for e in entities)) if entities else set()
    core = _core(text)
    count = _COUNT.search(folded)
    counted = ""
    if count:
        counted = fold(translate_terms(count.group(1)).split(" ")[0]) if english else count.group(1).split()[0]
        # "bao nhiêu và …", "bao nhiêu kinh phí": no noun is counted, any number answers
        if is_stopword(counted, english) or counted in _P.amount_nouns:
            counted = ""
    return Question(
        text=text,
        kind=kind,
        english=english,
        terms=tuple(query_tokens(text, drop=_is_question_word)),
        core=tuple(core),
        subject=tuple(t for t in core if not (set(t.split("_")) & named)),
        entities=tuple(entities),
        event_entities=frozenset(e for e in event if not _YEAR.search(e)),
        years=frozenset(e for e in event if _YEAR.search(e)),
        counted=counted,
        plural=bool(_PLURAL.search(folded)),
        across=bool(_ACROSS.search(folded)),
        aliases=tuple(aliases.items()),
    )


def _kind(text: str, folded: str) -> str:
    accented = has_diacritics(text)
    for name, pattern, accented_pattern in _KINDS:
        if pattern.search(folded) and not (accented and accented_pattern and not accented_pattern.search(match_key(text))):
            return name
    return "other"


def _entities(text: str, report_share: Callable[[str], float] | None) -> tuple[list[str], set[str], dict]:
    matches = list(_TOKEN.finditer(text.rstrip("?.! ")))
    accented = has_diacritics(text)
    tokens = [m.group() for m in matches]
    breaks = [False] + [bool(re.search(r"[,;:()]", text[a.end() : b.start()])) for a, b in zip(matches, matches[1:])]
    found: list[str] = []
    event: set[str] = set()
    run: list[str] = []
    run_after_locative = False
    aliases: dict[str, tuple[str, ...]] = {}

    def close_run(at: int | None = None) -> None:
        while run and _generic(run[0]):
            run.pop(0)
        while run and _generic(run[-1]):
            run.pop()
        if run and run[0] is tokens[0] and (len(run) == 1 or match_key(run[0]) in _OPENERS):
            run.pop(0)  # a capital opening the question is only its first word
        while run and _generic(run[0]):
            run.pop(0)
        # (typed plain, a capital may be the fold of many words; typed with diacritics, "An" is "An")
        if len(run) == 1 and report_share and (has_diacritics(run[0]) or accented) \
                and report_share(run[0]) >= _WIDESPREAD:
            run.clear()
        if run:
            key = _key(" ".join(run))
            found.append(key)
            if run_after_locative:
                event.add(key)
            if at is not None and len(run) >= 2:
                rest = _sentence_case_rest(tokens, breaks, at)
                if rest:  # "Luật Bảo vệ môi trường" is also "Luật BVMT"
                    initials = "".join(fold(w)[0] for w in (*run[1:], *rest))
                    aliases[key] = (f"{fold(run[0]).lower()} {initials.lower()}",)
        run.clear()

    for i, tok in enumerate(tokens):
        prev = fold(tokens[i - 1]) if i else ""
        if i and breaks[i]:
            close_run()  # "Phú Lạc, Tân Phú": a comma ends a name
        if tok[0].isdigit() or _ROMAN.match(tok):
            close_run()
            label = _part_label(tokens, i)
            if label:  # "Phụ lục 02", "Phương thức 3": a part the answer sits in, not the event
                stray = {_key(label), _key(label.split()[0])}  # its capital, taken for a name
                found[:] = [f for f in found if f not in stray]
                event.difference_update(stray)
                key = _key(f"{label} {tok}")
                found.append(key)
                if other := _part_spellings(label, tok):
                    aliases[key] = other
                continue
            key = _key(f"{tokens[i - 1]} {tok}" if prev in _NUMBER_LEAD else tok)
            found.append(key)
            # cluster numbers, terms, years identify the event; a document's number ("Nghị quyết 58")
            # names what is asked about, so the answering sentence must state it
            if not _DOCUMENT_BEFORE.search(" ".join(tokens[max(0, i - 3) : i])):
                event.add(key)
        elif tok[0].isupper() and len(tok) > 1:
            if not run:
                run_after_locative = prev in _LOCATIVE
            run.append(tok)
        else:
            close_run(i)
    close_run()
    return list(dict.fromkeys(found)), event, aliases


def _part_label(tokens: list[str], at: int) -> str:
    """The one or two words before a number that name a part of a report ("Phụ lục", "Vùng")."""
    for n in (2, 1):
        words = " ".join(tokens[max(at - n, 0) : at])
        plain = not has_diacritics(words)  # "phu luc 02": compared folded; "văn bằng" is no "bảng"
        if at >= n and (fold(words) in _PART_LABELS_PLAIN if plain else match_key(words) in _P.part_labels):
            return words
    return ""


_ROMANS = ("", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv",
           "xvi", "xvii", "xviii", "xix", "xx")
_ROMAN_NUMBERED = ("chương", "phần", "mục", "phụ lục")


def _part_spellings(label: str, number: str) -> tuple[str, ...]:
    """How a report may write a numbered part otherwise: a heading's number alone ("Mục 2.4" is
    the heading "2.4 Các giải pháp khác"), roman for arabic and back ("Chương 2" is "CHƯƠNG II")."""
    key, n = match_key(label), number.lower()
    if re.fullmatch(r"\d{1,2}(?:\.\d{1,2})+", n):
        return (n,)
    if key not in _ROMAN_NUMBERED:
        return ()
    if n.isdigit() and 0 < int(n) < len(_ROMANS):
        return (f"{key} {_ROMANS[int(n)]}",)
    if n in _ROMANS[1:]:
        return (f"{key} {_ROMANS.index(n)}",)
    return ()


def _sentence_case_rest(tokens: list[str], breaks: list[bool], at: int, most: int = 5) -> list[str]:
    """The lower-case words that go on a name written in sentence case ("Bảo" + "vệ môi trường"),
    up to a function word, a number or a comma."""
    rest: list[str] = []
    for j in range(at, min(len(tokens), at + most)):
        word = tokens[j]
        if (j > at and breaks[j]) or not word.isalpha() or not word.islower() or is_stopword(word, False) \
                or match_key(word) in _NAME_ENDS:
            break
        rest.append(word)
    return rest


def _core(text: str) -> list[str]:
    """The question's terms minus framing words and the noun naming the asked type
    ("nhiệm kỳ nào", "chức vụ gì"): the answer states an instance, not that noun."""
    ws = words(text)
    asked = set()
    for i, w in enumerate(ws):
        if fold(w) in ("nao", "gi") and i:  # "chức vụ gì", "cơ quan nào", "năm nào"
            compound = i >= 2 and f"{fold(ws[i - 2])} {fold(ws[i - 1])}" in _P.asked_compounds
            asked.update(x for x in ws[i - 2 if compound else i - 1 : i] if not _is_frame_word(x))
    return query_tokens(text, drop=lambda w: w in asked or _is_frame_word(w))


def _is_frame_word(word: str) -> bool:
    if _is_question_word(word):
        return True
    return word in _FRAME_WORDS if fold(word) != word else word in _FRAME_WORDS_PLAIN


def _is_question_word(word: str) -> bool:
    return word in _QUESTION_WORDS if fold(word) != word else word in _QUESTION_WORDS_PLAIN


def _generic(word: str) -> bool:
    key = match_key(word)
    return key in _GENERIC_CAPS if fold(key) != key else key in _GENERIC_PLAIN


def _key(phrase: str) -> str:
    """Accented match key when typed with diacritics, else folded (so both spellings match)."""
    key = match_key(phrase)
    return key if fold(key) != key else fold(key)
