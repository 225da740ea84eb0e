"""The language profile: every word list and pattern the pipeline matches Vietnamese
(and English) text on, read from one data file, `vi_profile.toml`.

The code keeps the logic and builds its regexes around these words; the file keeps the
language. Words are normalized here the way the code compares them (match keys or folds),
so a list can be written as people type it.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.text.normalize import fold, match_key

DEFAULT_PATH = Path(__file__).with_name("vi_profile.toml")


@dataclass(frozen=True)
class LanguageProfile:
    # tokens: lexical matching
    vi_stopwords: frozenset[str]  # match keys
    en_stopwords: frozenset[str]
    stopword_folds_kept: frozenset[str]  # folded
    en_marker_exclusions: frozenset[str]
    # glossary: English -> Vietnamese, keys lowercase
    glossary: dict[str, str]
    # sentences
    abbreviations: frozenset[str]  # lowercase
    # clean: folded phrases
    chrome_lines: tuple[str, ...]
    counter_labels: tuple[str, ...]
    tail_lines: tuple[str, ...]
    # metadata
    source_patterns: tuple[re.Pattern[str], ...]
    lead_adverbials: tuple[str, ...]  # folded
    # question: syllable sets are match keys (accented) or folds (plain)
    # (kind, pattern on the folded question, pattern the accented question must also match), in order
    question_kinds: tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None], ...]
    count_leads: tuple[str, ...]  # folded
    day_asks: tuple[str, ...]  # folded
    across: re.Pattern[str]
    plural: tuple[str, ...]
    question_words: frozenset[str]
    question_words_plain: frozenset[str]
    asking_words: tuple[str, ...]
    frame_words: frozenset[str]
    frame_words_plain: frozenset[str]
    asked_compounds: frozenset[str]  # folded two-syllable nouns naming the type asked for
    generic_caps: frozenset[str]
    generic_plain: frozenset[str]
    number_lead: frozenset[str]
    part_labels: tuple[str, ...]  # match keys
    locative: frozenset[str]
    openers: frozenset[str]
    name_ends: frozenset[str]
    # tables: column words of targets and results (folded), see rag/answer/table_cells.py
    tables: dict[str, tuple[str, ...]]
    # evidence: as written, except count_words (folded)
    surnames: tuple[str, ...]
    person_titles: tuple[str, ...]
    roles: tuple[str, ...]
    role_modifiers: tuple[str, ...]
    orgs: tuple[str, ...]
    resolution_words: tuple[str, ...]
    resolution_codes: tuple[str, ...]  # fragments
    number_words: tuple[str, ...]
    count_words: tuple[str, ...]
    percent_nouns: tuple[str, ...]  # folded: "bao nhiêu phần trăm" is answered by "60%"
    amount_nouns: tuple[str, ...]  # folded: "bao nhiêu kinh phí" is an amount in a unit, not a count of kinh phí
    place_prepositions: tuple[str, ...]
    cause_words: tuple[str, ...]
    demonstratives: tuple[str, ...]  # match keys
    connectives: tuple[str, ...]  # match keys
    people_groups: tuple[str, ...]
    place_common: tuple[str, ...]
    place_common_not_after: tuple[str, ...]
    count_synonyms: dict[str, tuple[str, ...]]  # folded noun -> the nouns that count the same thing
    group_qualifiers: tuple[str, ...]
    place_nouns: tuple[str, ...]
    local_bodies: tuple[str, ...]
    negations: frozenset[str]  # match keys: words that turn the phrase after them around


def _nfc(items: list[str]) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFC", w) for w in items)


def _syllables(items: list[str], key) -> frozenset[str]:
    """A syllable set: each phrase stands for its syllables, each normalized by `key`."""
    return frozenset(key(s) for phrase in items for s in phrase.split())


def _folded(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(fold(w) for w in items))


def _kind(entry: dict) -> tuple[str, re.Pattern[str], re.Pattern[str] | None]:
    asks = "|".join(entry["asks"])
    accented = entry.get("accented")
    accented = re.compile(rf"\b({'|'.join(re.escape(match_key(a)) for a in accented)})\b") if accented else None
    if entry.get("edges", "word") == "space":  # the ask stands alone: spaces, `?` or the ends around it
        return entry["kind"], re.compile(rf"(^|\s)({asks})(\s|\?|$)"), accented
    return entry["kind"], re.compile(rf"\b({asks})\b"), accented


def load(path: str | Path) -> LanguageProfile:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    tok, q, ev = data["tokens"], data["question"], data["evidence"]
    return LanguageProfile(
        vi_stopwords=_syllables(tok["vi_stopwords"], match_key),
        en_stopwords=_syllables(tok["en_stopwords"], match_key),
        stopword_folds_kept=_syllables(tok["stopword_folds_kept"], fold),
        en_marker_exclusions=frozenset(tok["en_marker_exclusions"]),
        glossary={k.lower(): unicodedata.normalize("NFC", v) for k, v in data["glossary"].items()},
        abbreviations=frozenset(w.lower() for w in _nfc(data["sentences"]["abbreviations"])),
        chrome_lines=_folded(data["clean"]["chrome_lines"]),
        counter_labels=_folded(data["clean"]["counter_labels"]),
        tail_lines=_folded(data["clean"]["tail_lines"]),
        source_patterns=tuple(re.compile(p) for p in data["metadata"]["source_patterns"]),
        lead_adverbials=_folded(data["metadata"]["lead_adverbials"]),
        question_kinds=tuple(_kind(entry) for entry in q["kinds"]),
        count_leads=_folded(q["count_leads"]),
        day_asks=_folded(q["day_asks"]),
        across=re.compile(r"\b(" + "|".join(q["across"]) + r")\b"),
        plural=_folded(q["plural"]),
        question_words=_syllables(q["question_words"], match_key),
        question_words_plain=_syllables(q["question_words_plain"], fold),
        asking_words=tuple(match_key(w) for w in q["asking_words"]),
        frame_words=_syllables(q["frame_words"], match_key),
        frame_words_plain=_syllables(q["frame_words_plain"], fold),
        asked_compounds=frozenset(_folded(q["asked_compounds"])),
        generic_caps=_syllables(q["generic_caps"], match_key),
        generic_plain=_syllables(q["generic_plain"], fold),
        number_lead=_syllables(q["number_lead"], fold),
        part_labels=tuple(match_key(w) for w in q["part_labels"]),
        locative=_syllables(q["locative"], fold),
        openers=_syllables(q["openers"], match_key),
        name_ends=_syllables(q["name_ends"], match_key),
        tables={k: _folded(v) for k, v in data.get("tables", {}).items()},
        surnames=_nfc(ev["surnames"]),
        person_titles=_nfc(ev["person_titles"]),
        roles=_nfc(ev["roles"]),
        role_modifiers=_nfc(ev["role_modifiers"]),
        orgs=_nfc(ev["orgs"]),
        resolution_words=_nfc(ev["resolution_words"]),
        resolution_codes=tuple(ev["resolution_codes"]),
        number_words=_nfc(ev["number_words"]),
        count_words=_folded(ev["count_words"]),
        percent_nouns=_folded(ev["percent_nouns"]),
        place_prepositions=_nfc(ev["place_prepositions"]),
        place_nouns=_nfc(ev["place_nouns"]),
        cause_words=_nfc(ev["cause_words"]),
        demonstratives=tuple(match_key(w) for w in ev["demonstratives"]),
        connectives=tuple(match_key(w) for w in ev["connectives"]),
        people_groups=_nfc(ev["people_groups"]),
        place_common=_nfc(ev["place_common"]),
        place_common_not_after=_nfc(ev["place_common_not_after"]),
        amount_nouns=_folded(ev["amount_nouns"]),
        count_synonyms={fold(w): _folded(group) for group in ev["count_synonyms"] for w in group},
        group_qualifiers=_nfc(ev["group_qualifiers"]),
        local_bodies=_nfc(ev["local_bodies"]),
        negations=frozenset(match_key(w) for w in ev["negations"]),
    )


@lru_cache(maxsize=4)
def profile(path: str | Path | None = None) -> LanguageProfile:
    """The profile in `path`, by default the shipped Vietnamese one; loaded once per path."""
    return load(DEFAULT_PATH if path is None else path)


def alternation(words, escape: bool = True) -> str:
    """`(?:a|b|c)` of the words, longest first so a phrase wins over its own prefix."""
    items = sorted(words, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w) if escape else w for w in items) + ")"
