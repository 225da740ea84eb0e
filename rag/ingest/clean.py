"""Raw report text -> the one cleaned text that chunks and citations index into.

Removes what reports scraped from news sites carry: site chrome (link lists, share
buttons, visitor counters), comment and related-links tails, captions printed twice in
a row, and a lede printed once alone and again as the start of the next paragraph.
The chrome and tail phrases are the language profile's [clean].
"""
from __future__ import annotations

import re

from rag.text.normalize import clean_unicode, fold
from rag.text.profile import alternation, profile

_P = profile()
# Whole lines that are page chrome (matched on the folded, lowercased line); a counter
# label may carry its number ("thong ke: 12.345").
_CHROME = re.compile(
    rf"^({alternation(_P.chrome_lines)}|{alternation(_P.counter_labels)}\s*:?\s*[\d.,]+)$"
)
# A line that starts the tail of comments or related links: it and all after it go.
_TAIL = re.compile(rf"^{alternation(_P.tail_lines)}\s*:?$")
_SPACES = re.compile(r"[ ]{2,}")
_MIN_LEDE = 40


def clean_text(raw: str) -> str:
    paragraphs: list[str] = []
    for line in clean_unicode(raw).split("\n"):
        line = _SPACES.sub(" ", line.strip())
        if not line:
            continue
        key = fold(line)
        if _TAIL.match(key):
            break
        if _CHROME.match(key):
            continue
        if paragraphs and paragraphs[-1] == line:
            continue  # a caption or line repeated twice in a row
        if paragraphs and len(paragraphs[-1]) >= _MIN_LEDE and line.startswith(paragraphs[-1]):
            paragraphs[-1] = line  # the lede printed alone, then again as the paragraph's start
            continue
        paragraphs.append(line)
    return "\n\n".join(paragraphs)
