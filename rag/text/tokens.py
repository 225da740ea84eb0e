"""Tokens for lexical matching of Vietnamese (and the odd English question).

Each word gives its folded form (`huân` -> `huan`) so questions typed without
diacritics match, and, when it carries diacritics, its accented form too, so an
accented question prefers the exact word. Adjacent syllables also give a folded
bigram (`to_chuc`), so compounds like `tổ chức` count as one unit.
"""
from __future__ import annotations

from rag.text.normalize import fold, words
from rag.text.profile import profile

_P = profile()
VI_STOPWORDS = _P.vi_stopwords
EN_STOPWORDS = _P.en_stopwords
# Typed without diacritics, a stopword's fold may also be a content word (`thi` in
# `thi đua`, `bi` in `bí thư`): those folds are kept.
_FOLDED_VI_STOP = frozenset(fold(w) for w in VI_STOPWORDS) - _P.stopword_folds_kept
# Bump when tokens change (this module or the profile's [tokens]): saved lexical indexes are rebuilt.
TOKENS_VERSION = "2"


# English function words that are not also Vietnamese syllables typed without diacritics
# ("so", "to", "an", "do", "on", "no", "a" are): only these vote for English.
EN_MARKERS = EN_STOPWORDS - _P.en_marker_exclusions


MIXED_ACCENTED_SHARE = 0.35  # an English question may quote Vietnamese names: "Appendix 02 (Phụ lục 02)"


def is_english(text: str) -> bool:
    """At least two unambiguous English function words and no Vietnamese diacritics; or, quoting
    Vietnamese names, at least three of them with few accented words."""
    ws = words(text)
    if not ws:
        return False
    markers = sum(w in EN_MARKERS for w in ws)
    accented = sum(fold(w) != w for w in ws)
    if accented:
        return markers >= 3 and accented <= MIXED_ACCENTED_SHARE * len(ws)
    return markers >= 2 or (markers == 1 and len(ws) <= 3)


def is_stopword(word: str, english: bool = False) -> bool:
    """A function word ("và", "so", "vào"), typed with or without its diacritics."""
    if word in VI_STOPWORDS:
        return True
    if fold(word) == word:  # typed without diacritics: it may be a stopword's fold
        return word in _FOLDED_VI_STOP or (english and word in EN_STOPWORDS)
    return False


def lexical_tokens(text: str, english: bool = False, drop=None) -> list[str]:
    """Folded unigrams, `~`accented unigrams, and folded bigrams of two content words.

    `drop(word) -> bool` removes more words (a question's own question words)."""
    ws = words(text)
    content = [not is_stopword(w, english) and not (drop and drop(w)) for w in ws]
    tokens: list[str] = []
    for i, word in enumerate(ws):
        if not content[i]:
            continue
        folded = fold(word)
        tokens.append(folded)
        if folded != word:
            tokens.append("~" + word)
        if i + 1 < len(ws) and content[i + 1]:
            tokens.append(folded + "_" + fold(ws[i + 1]))
    return tokens


def query_tokens(text: str, drop=None) -> list[str]:
    """Tokens of a question; an English one also gets its Vietnamese domain terms."""
    if not is_english(text):
        return lexical_tokens(text, drop=drop)
    from rag.text.glossary import translate_terms, untranslated

    return lexical_tokens(untranslated(text), english=True, drop=drop) + lexical_tokens(translate_terms(text), drop=drop)
