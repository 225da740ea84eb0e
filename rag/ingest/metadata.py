"""Best-effort report metadata from the cleaned text: title, date/year, place, source, author.

Nothing is invented: a field the text does not state stays empty.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from rag.text.normalize import fold
from rag.text.profile import alternation, profile

_STAMP = re.compile(r"^\d{1,2}:\d{2},?\s+(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})$")
_DAY = re.compile(
    r"\b(?:ngày|sáng|chiều|tối|trưa)\s+(\d{1,2})[-/.](\d{1,2})(?:[-/.]((?:19|20)\d{2}))?", re.IGNORECASE
)
_YEAR = re.compile(r"\bnăm\s+((?:19|20)\d{2})\b", re.IGNORECASE)
_PLACE = re.compile(rf"\btại\s+({alternation(profile().place_nouns)}\s+)?((?:[^\W\d_][\w]*\s?)+)")
# Where a report credits its source ("(Nguồn: …)", an outlet's initials): the profile's [metadata].
_SOURCE = profile().source_patterns
_TITLE_MAX = 160
_HEADLINE_MAX = 120
_ADVERBIAL_STARTS = tuple(a + " " for a in profile().lead_adverbials)


@dataclass(frozen=True)
class ReportMeta:
    title: str = ""
    date: str = ""  # ISO yyyy-mm-dd when day, month and year are stated
    year: int = 0  # 0 when no year is stated
    place: str = ""
    source: str = ""
    author: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def extract_metadata(text: str, title_hint: str = "") -> ReportMeta:
    paragraphs = text.split("\n\n")
    lead = " ".join(paragraphs[:3])
    day = month = year = 0
    body_start = 0
    stamp = _STAMP.match(paragraphs[0]) if paragraphs else None
    if stamp:
        day, month, year = (int(g) for g in stamp.groups())
        body_start = 1
    if not year:
        found = _DAY.search(lead)
        if found:
            day, month = int(found.group(1)), int(found.group(2))
            year = int(found.group(3) or 0)
        years = _YEAR.search(lead)
        if not year and years:
            year = int(years.group(1))
    date = f"{year:04d}-{month:02d}-{day:02d}" if year and 1 <= month <= 12 and 1 <= day <= 31 else ""
    return ReportMeta(
        title=title_hint.strip() or _title(paragraphs[body_start:]),
        date=date,
        year=year,
        place=_place(lead),
        source=_source(text),
        author=_author(paragraphs),
    )


def _title(paragraphs: list[str]) -> str:
    """The headline, or, when the report opens with its body, the first sentence from its subject
    on ("Sáng 26/6, tại huyện X, tỉnh Y, Ban A tổ chức …" -> "Ban A tổ chức …"), cut between words."""
    first = paragraphs[0] if paragraphs else ""
    if len(first) <= _TITLE_MAX and not first.endswith("."):
        return first
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0].rstrip(".")
    sentence = _without_time_and_place(sentence)
    if len(sentence) <= _HEADLINE_MAX:
        return sentence
    return sentence[:_HEADLINE_MAX].rsplit(" ", 1)[0].rstrip(",;:–- ") + "…"


def _without_time_and_place(sentence: str) -> str:
    """The sentence less the comma clauses it opens with that say when or where ("Sáng 26/6",
    "tại huyện X", and the bare place names after one: ", Y,")."""
    clauses = re.split(r"(?<=,)\s+", sentence)
    dropped, after_place = 0, False
    for clause in clauses[:-1]:
        words = clause.rstrip(",").split()
        lead = fold(clause)
        if lead.startswith(_ADVERBIAL_STARTS) or re.fullmatch(r"[\d/.-]+,", clause):
            after_place = lead.startswith(("tai ", "o "))
        elif not (after_place and words and len(words) <= 4 and all(w[0].isupper() for w in words)):
            break
        dropped += 1
    rest = " ".join(clauses[dropped:])
    return rest[:1].upper() + rest[1:] if dropped and rest else sentence


def _place(lead: str) -> str:
    match = _PLACE.search(lead)
    if not match:
        return ""
    names = _capitalized_run(match.group(2))
    if not names or (not match.group(1) and " " not in names):
        return ""  # a lone capital after "tại" is usually "Hội nghị", not a place
    place = (match.group(1) or "") + names
    rest = lead[match.start(2) + len(names) :]
    if rest.startswith(", "):  # "tại huyện <Huyện>, <Tỉnh>," : the province follows the district
        province = _capitalized_run(rest[2:])
        if province and rest[2 + len(province) :].startswith(","):
            place += ", " + province
    return place.strip()


def _capitalized_run(text: str) -> str:
    taken = []
    for word in text.split(" "):
        if word and word[0].isupper() and word.rstrip(",.").isalpha():
            taken.append(word.rstrip(",."))
            if word[-1] in ",.":
                break
        else:
            break
    return " ".join(taken)


def _source(text: str) -> str:
    for pattern in _SOURCE:
        match = pattern.search(text)
        if match:
            return match.group(1).strip()
    return ""


def _author(paragraphs: list[str]) -> str:
    last = paragraphs[-1].strip() if paragraphs else ""
    letters = [c for c in last if c.isalpha()]
    if 3 <= len(last) <= 60 and letters and all(c.isupper() for c in letters) and fold(last) != last.lower():
        return last
    return ""
