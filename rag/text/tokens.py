"""Tokens for lexical matching of Vietnamese (and the odd English question).

Each word gives its folded form (`huân` -> `huan`) so questions typed without
diacritics match, and, when it carries diacritics, its accented form too, so an
accented question prefers the exact word. Adjacent syllables also give a folded
bigram (`to_chuc`), so compounds like `tổ chức` count as one unit.
"""
from __future__ import annotations

from rag.text.normalize import fold, words

VI_STOPWORDS = frozenset(
    "và của các những là có được trong cho với đã để tại này thì mà sẽ cũng như khi từ đến ra vào ở"
    " về theo một trên nhiều rất đó nào gì ai đâu bao không hay hoặc bị do nên vì lại còn"
    " thế nhé ạ à ư chứ vậy sao hãy".split()
)
EN_STOPWORDS = frozenset(
    "a an the of in on at to for from by with and or is are was were be been being what which who whom"
    " whose when where why how many much did do does has have had it its this that these those as into"
    " about there their they he she his her him i you we our your not no yes can could would should will"
    " than then so if any all each".split()
)
# Typed without diacritics, a stopword's fold may also be a content word (`thi` in
# `thi đua`, `bi` in `bí thư`): those folds are kept.
_FOLDED_VI_STOP = frozenset(fold(w) for w in VI_STOPWORDS) - frozenset(
    "thi bi the con lai nen tu den ve de ma".split()
)
# Bump when tokens change: saved lexical indexes are rebuilt.
TOKENS_VERSION = "2"


# English function words that are not also Vietnamese syllables typed without diacritics
# ("so", "to", "an", "do", "on", "no", "a" are): only these vote for English.
_EN_MARKERS = EN_STOPWORDS - frozenset("a an so to do on no i he she we my ba".split())


def is_english(text: str) -> bool:
    """No Vietnamese diacritics and at least two unambiguous English function words."""
    ws = words(text)
    if not ws or any(fold(w) != w for w in ws):
        return False
    markers = sum(w in _EN_MARKERS for w in ws)
    return markers >= 2 or (markers == 1 and len(ws) <= 3)


def _is_stop(word: str, english: bool) -> bool:
    if word in VI_STOPWORDS:
        return True
    if fold(word) == word:  # typed without diacritics: it may be a stopword's fold
        return word in _FOLDED_VI_STOP or (english and word in EN_STOPWORDS)
    return False


def lexical_tokens(text: str, english: bool = False, drop=None) -> list[str]:
    """Folded unigrams, `~`accented unigrams, and folded bigrams of two content words.

    `drop(word) -> bool` removes more words (a question's own question words)."""
    ws = words(text)
    content = [not _is_stop(w, english) and not (drop and drop(w)) for w in ws]
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
