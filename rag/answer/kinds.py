"""What one sentence states: the kind of fact asked for (a person, a date, a number, a list),
and whether it (or its report) contains a named thing from the question? The words (surnames, titles,
roles, bodies, number words, places) are the language profile's [evidence]."""
from __future__ import annotations

import re
from functools import lru_cache

from rag.answer.question import Question
from rag.text.normalize import fold, match_key
from rag.text.profile import alternation, profile

_P = profile()
_SURNAMES = alternation(_P.surnames)
_TITLES = alternation(_P.person_titles + tuple(t.capitalize() for t in _P.person_titles))
# Latin letters with Vietnamese diacritics, split by case (a range like À-Ỹ mixes cases).
_LATIN = [chr(c) for r in ((0x41, 0x5B), (0x61, 0x7B), (0xC0, 0x250), (0x1E00, 0x1F00)) for c in range(*r)]
_UP = "[" + "".join(c for c in _LATIN if c.isalpha() and c.isupper()) + "]"
_LOW = "[" + "".join(c for c in _LATIN if c.isalpha() and c.islower()) + "]"
_CAP = rf"{_UP}{_LOW}+\b"
_PART = rf"{_UP}{_LOW}*\b"  # a name syllable may be one capital: Vàng A Sùng
_PERSON = re.compile(
    rf"(?:\b{_TITLES}\s+{_CAP}(?:\s+{_PART}){{1,3}})"
    rf"|(?:\b{_SURNAMES}(?:\s+{_PART}){{1,3}})"
    # a byline in capitals, names apart by a dash: MINH AN – THU HÀ (not a heading in capitals)
    rf"|(?:\b{_UP}{{2,}}\b(?:\s+{_UP}{{2,}}\b){{1,3}}\s+[–-]\s+{_UP}{{2,}}\s+{_UP}{{2,}}\b)"
)
_DATE = re.compile(
    r"\b\d{1,2}[-/.]\d{1,2}(?:[-/.]\d{2,4})?\b|\b(?:ngày|tháng)\s+\d{1,2}\b|\b(?:19|20)\d{2}\b|\b\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)
_DAY = re.compile(r"\b\d{1,2}[-/.]\d{1,2}\b|\bngày\s+\d{1,2}\b", re.IGNORECASE)
_ASKS_DAY = re.compile(rf"\b{alternation(_P.day_asks)}\b")
_NUMBER = re.compile(rf"\d|\b{alternation(_P.number_words)}\b", re.IGNORECASE)
_PLACE = re.compile(
    rf"\b{alternation(_P.place_prepositions)}\s+{alternation(_P.place_nouns)}?\s*{_CAP}|\bgồm\s*:"
    rf"|\b(?:ở|tại)\s+(?!đâu\b)[^\W\d_]"  # a place need not be a name: "ở phổi", "tại nhà"
)
_ROLE = re.compile(rf"\b{alternation(_P.roles)}\b", re.IGNORECASE)
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b0\d{2,3}[.\s]?\d{2,3}[.\s]?\d{2,4}\b"
                      r"|https?://[^\s,;]+|\bwww\.[^\s,;]+")  # an email, a phone number, a web address
_RESOLUTION = re.compile(
    rf"\b(?:{alternation(_P.resolution_words)}|{alternation(_P.resolution_codes, escape=False)})\b", re.IGNORECASE
)
_CAUSE = re.compile(rf"\b{alternation(_P.cause_words)}\b", re.IGNORECASE)
_GROUP = re.compile(rf"\b{alternation(_P.people_groups)}\s+{alternation(_P.group_qualifiers)}\b", re.IGNORECASE)
_ENUMERATION = re.compile(r":\s*[^,;:]+[,;][^,;:]+[,;]")  # "gồm: A, B, C"


_INLINE_MARKER = re.compile(r"(?:^|\s)\((?:\d{1,2}|[a-zđ])\)\s")  # "(1) ", "(b) "


def numbers_items(sentence: str) -> bool:
    """A list numbered inside one sentence: "gồm: (1) A; (2) B; (3) C"."""
    return len(_INLINE_MARKER.findall(sentence)) >= 2


def holds_list(sentence: str) -> bool:
    """An enumeration: after a colon, several `;`-items, or a run of short comma items: four,
    or three closed by "và" ("A, B, C và D"). Three alone are too common an opening
    ("Sáng 3/4, tại xã X, huyện Y, …") to mean a list."""
    if _ENUMERATION.search(sentence) or sentence.count(";") >= 2:
        return True
    if ";" in sentence and re.search(r"\bvà\b", sentence.rsplit(";", 1)[1]):
        return True
    run = 0
    for part in re.split(r"[,;]", sentence):
        run = run + 1 if len(part.split()) <= 5 else 0
        if run >= 4 or (run >= 3 and re.search(r"\svà\s", part)):
            return True
    return False


class _ListTest:
    search = staticmethod(holds_list)


_LIST = _ListTest()

_ORG = re.compile(rf"\b{alternation(_P.orgs)}\s+\w")

_KIND_TESTS = {
    "org": _ORG,
    "person": _PERSON,
    "date": _DATE,
    "number": _NUMBER,
    "place": _PLACE,
    "role": _ROLE,
    "contact": _CONTACT,
    "resolution": _RESOLUTION,
    "list": _LIST,
    "reason": _CAUSE,
}
# Kinds whose absence in the leading sentence means the question is not answered.
STRICT_KINDS = frozenset({"person", "date", "number", "place", "role", "resolution", "org", "contact"})


_COUNT_WORDS = rf"(?:\d+|{alternation(_P.count_words)})"


_ORG_NAME = re.compile(rf"\b{alternation(_P.orgs)}(?:\s+{_PART})+")
# whole dates and whole place names, for highlighting (the kind tests only need their start)
_DATE_SPAN = re.compile(
    r"\b(?:ngày\s+)?\d{1,2}[-/.]\d{1,2}(?:[-/.]\d{2,4})?\b|\bngày\s+\d{1,2}(?:\s+tháng\s+\d{1,2})?(?:\s+năm\s+\d{4})?"
    r"|\btháng\s+\d{1,2}(?:\s*/\s*\d{4}|\s+năm\s+\d{4})?|\b(?:19|20)\d{2}\b|\b\d{1,2}[:h]\d{2}\b",
    re.IGNORECASE,
)
_PLACE_SPAN = re.compile(
    rf"\b{alternation(_P.place_prepositions)}\s+(?:{alternation(_P.place_nouns)}\s+)?{_CAP}(?:\s+{_CAP})*")
_FIGURE = re.compile(r"\d[\d.,/]*(?:\s*%)?")
_SPAN_TESTS = {"person": _PERSON, "date": _DATE_SPAN, "place": _PLACE_SPAN, "role": _ROLE, "org": _ORG_NAME,
               "contact": _CONTACT,
               "resolution": _RESOLUTION, "number": _FIGURE}


def answer_spans(text: str, question: Question) -> list[tuple[int, int]]:
    """Where the text states what was asked (the person, the date, the count…): offsets into `text`,
    for a reader's eye to land on. Empty for open questions."""
    kind = question.kind
    if kind == "number" and question.counted and len(fold(text)) == len(text):
        found = [m.span() for m in _count_of(question.counted).finditer(fold(text))]
        if found:
            return found
    if kind == "date" and _asks_day(question.text):
        return [m.span() for m in _DATE_SPAN.finditer(text) if _DAY.search(m.group())]
    test = _SPAN_TESTS.get(kind)
    return [m.span() for m in test.finditer(text)] if test is not None else []


@lru_cache(maxsize=64)
def _count_of(counted: str) -> re.Pattern[str]:
    """A number right before the counted noun or a word for the same unit ("8 tỉnh", "12 giờ"), folded;
    official text spells the number out after it: "01 (một) nguyện vọng"."""
    nouns = alternation(_P.count_synonyms.get(counted, (counted,)))
    return re.compile(rf"\b{_COUNT_WORDS}\s+(?:\(\w+(?:\s\w+){{0,3}}\)\s+)?(?:\w+\s+)?{nouns}\b")


def _asks_day(question: str) -> bool:
    return _ASKS_DAY.search(fold(question)) is not None


def _unasked(words: tuple[str, ...], question: str) -> list[str]:
    """The words the question itself does not use: only those can state its answer."""
    return [w for w in words if not re.search(rf"\b{re.escape(w)}\b", question, re.IGNORECASE)]


# Built once per question (the evidence step asks for every candidate sentence and clause).
@lru_cache(maxsize=64)
def _unasked_causes(question: str) -> re.Pattern[str] | None:
    causes = _unasked(_P.cause_words, question)
    return re.compile(rf"\b{alternation(causes)}\b", re.IGNORECASE) if causes else None


@lru_cache(maxsize=64)
def _unasked_places(question: str) -> re.Pattern[str] | None:
    nouns = _unasked(_P.place_common, question)
    return re.compile(rf"(?<!\w)(\w+\s+)?{alternation(nouns)}\s+(?!nào\b)[^\W\d_]", re.IGNORECASE) if nouns else None


_NOT_BEFORE_PLACE = frozenset(w.lower() for w in _P.place_common_not_after)


def _states_common_place(sentence: str, question: str) -> bool:
    """A place without a name ("vùng hạ vị"), by a place noun the question does not use
    ("trong khu vực miền Trung" does not answer where a meeting "khu vực miền Trung" was held)."""
    place = _unasked_places(question)
    return place is not None and any(
        (m.group(1) or "").strip().lower() not in _NOT_BEFORE_PLACE for m in place.finditer(sentence))


def states_kind(sentence: str, question: Question) -> bool:
    """Whether the sentence states a fact of the kind asked: for a count of things ("bao nhiêu
    tỉnh"), a number right before that noun ("8 tỉnh"); for a cause, a cause word the question
    itself does not use ("Nguyên nhân nào khiến …" is not answered by "… khiến …"); for "những
    ai", named people or a described group of them ("người mắc bệnh …")."""
    kind, counted = question.kind, question.counted
    if kind == "reason":
        causes = _unasked_causes(question.text)
        return causes is not None and causes.search(sentence) is not None
    if kind == "person" and question.plural and _GROUP.search(sentence):
        return True
    if kind == "place" and _states_common_place(sentence, question.text):
        return True
    if kind == "date" and _asks_day(question.text):
        return _DAY.search(sentence) is not None
    if kind == "number" and counted and _counted_row(sentence, counted):
        return True  # a table row: the counted noun in its label, the numbers in its cells
    if kind == "number" and counted:
        if counted in _P.percent_nouns and re.search(r"\d\s*%", sentence):
            return True
        return _count_of(counted).search(fold(sentence)) is not None
    if kind == "number":
        return _states_amount(sentence, question.text)
    test = _KIND_TESTS.get(kind)
    return True if test is None else bool(test.search(sentence))


# "là bao nhiêu" is not answered by a year, a date, a document's number, a list marker, the digits
# of a code ("X02", "CA1"), or a number the question itself names or labels as it does ("Phương
# thức 3" is not an amount, nor is "Phương thức 2" then); "năm" (five) is a year.
_NOT_AMOUNTS = re.compile(r"\b(?:ngày\s+)?\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b(?:năm\s+)?(?:19|20)\d{2}\b"
                          r"|\b(?:ngày|tháng)\s+\d{1,2}\b"
                          r"|\b\d+/[\w-]*[^\W\d_][\w-]*"  # a document's number: "3838/X02-P2", "05/HD-BCA"
                          r"|^\W*(?:\d{1,2}(?:\.\d{1,2})*[.)]|\(\d{1,2}\))\s", re.IGNORECASE)  # a list marker: "4. ", "(2) "
_AMOUNT = re.compile(r"(?<!\w)(\w+\s+)?(\d+(?:[.,]\d+)*)")
_AMOUNT_WORDS = re.compile(rf"\b{alternation(tuple(w for w in _P.number_words if w != 'năm'))}\b", re.IGNORECASE)


def _states_amount(sentence: str, question: str) -> bool:
    named = _AMOUNT.findall(match_key(question))
    asked, labels = {n for _, n in named}, {w.strip() for w, _ in named if w}
    rest = _NOT_AMOUNTS.sub(" ", match_key(sentence))
    return any(n not in asked and (w or "").strip() not in labels for w, n in _AMOUNT.findall(rest)) \
        or _AMOUNT_WORDS.search(rest) is not None


def _counted_row(sentence: str, counted: str) -> bool:
    from rag.answer.table_cells import counts_in_column, parse_row

    row = parse_row(sentence)
    if row is None:
        return False
    label, cells = row
    if counted in fold(label).split():  # "Kết nạp đảng viên mới — …: 143"
        return any(re.search(r"\d", c.value) for c in cells)
    # "Vùng 12 — Chỉ tiêu: 50" for "bao nhiêu chỉ tiêu": a column named by the counted noun
    return any(counts_in_column(c, [counted]) for c in cells)


_DEMONSTRATIVE = re.compile(rf"(?<=\w )(?:{alternation(_P.demonstratives)})(?!\w)")
_CONNECTIVE = re.compile(rf"(?<!\w){alternation(_P.connectives)}(?!\w)")


def points_back(text: str) -> bool:
    """A demonstrative after a noun ("hiện tượng này", "khoa đó"): a question leans on the turn before."""
    return _DEMONSTRATIVE.search(match_key(text)) is not None


def refers_back(sentence: str) -> bool:
    """A report's sentence that names a thing by pointing back ("Các hạch này", "Cách này giúp …"),
    not one that only links on ("Do đó, …", "Qua đó …")."""
    return points_back(_CONNECTIVE.sub(" ", match_key(sentence)))


def names_role(text: str) -> bool:
    """Names an office ("Phó Bí thư Tỉnh ủy", "Giám đốc")."""
    return _ROLE.search(text) is not None


def offices_named(text: str) -> list[str]:
    """The office words a text names, as match keys ("ủy viên", "phó trưởng ban")."""
    return list(dict.fromkeys(match_key(m.group()) for m in _ROLE.finditer(text)))


_NOUNS = f"(?i:{alternation(_P.place_nouns)})"
_LOCAL_BODY = re.compile(rf"\b{alternation(_P.local_bodies)}(?:\s+{_NOUNS})?+(?!\s+{_UP})")
_NAMED_PLACE = re.compile(rf"\b{_NOUNS}\s+{_CAP}(?:\s+{_CAP})*")


def places_left_out(source: str, text: str) -> list[str]:
    """The places `source` names ("tỉnh Hòa Lộc") that `text` leaves out while naming a body of a
    place without saying which ("Phó Bí thư Tỉnh ủy")."""
    if not _LOCAL_BODY.search(text):
        return []
    said, people = match_key(text), person_names(source)

    def place(m: re.Match) -> bool:  # "UBND tỉnh Hồ Thị Mai": after a body, a name may be its holder's
        after_body = re.search(rf"{alternation(_P.local_bodies)}\s+$", source[: m.start()])
        return not (after_body and any(p in m.group() for p in people))

    return list(dict.fromkeys(m.group() for m in _NAMED_PLACE.finditer(source)
                              if match_key(m.group()) not in said and place(m)))


_YEAR_RANGE = re.compile(r"((?:19|20)\d\d)\s*[-–—]\s*((?:19|20)\d\d)")


def contains_phrase(text_key: str, text_folded: str, phrase: str) -> bool:
    """`phrase` is a match key (accented) or a folded key; compared with word boundaries.
    A span of years ("2017-2021") is stated by a text naming both ends, however it writes the
    span ("2017 – 2021", "từ năm 2017 đến 2021")."""
    haystack = text_key if fold(phrase) != phrase else text_folded
    years = _YEAR_RANGE.fullmatch(phrase)
    if years:
        return all(re.search(rf"(?<!\w){y}(?!\w)", haystack) for y in years.groups())
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", haystack) is not None


def keys(text: str) -> tuple[str, str]:
    key = match_key(text)
    return key, fold(key)


_NAME = re.compile(rf"{_TITLES}\s+({_CAP}(?:\s+{_PART}){{1,3}})|\b({_SURNAMES}(?:\s+{_PART}){{1,3}})")


def person_names(text: str) -> list[str]:
    """Names of people in a text, in order ("Trần Văn An", "bà Lê Thị Bình" -> "Lê Thị Bình")."""
    return list(dict.fromkeys(m.group(1) or m.group(2) for m in _NAME.finditer(text)))


_ROLE_KEYS = sorted({match_key(r) for r in _P.roles}, key=len, reverse=True)
_MODIFIED = re.compile(rf"\b(?:{alternation(tuple(match_key(m) for m in _P.role_modifiers))})\s+$")


def asked_roles(question: str) -> list[str]:
    """Offices the question names as they are, not as deputy/former/acting ("Bí thư Tỉnh ủy")."""
    key = match_key(question)
    return [r for r in _ROLE_KEYS if any(_unmodified(r, key))]


def office_mentions(sentence: str, roles: list[str]) -> tuple[bool, bool]:
    """(names one of the offices as it is, names one of them only with a modifier: "Phó Bí thư …"
    for "Bí thư …")."""
    key = match_key(sentence)
    found = [occurrences for r in roles if (occurrences := _unmodified(r, key))]
    return any(any(o) for o in found), any(not any(o) for o in found)


def _unmodified(phrase: str, key: str) -> list[bool]:
    """For each occurrence of the office in `key`: True when no modifier stands before it."""
    return [not _MODIFIED.search(key[: m.start()]) for m in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", key)]
