"""Raw report text -> the one cleaned text that chunks and citations index into.

Removes what the seed reports really carry from their web pages: site chrome
("Liên kết website", visitor counters), comment and related-links tails
("Ý kiến bạn đọc", "TIN LIÊN QUAN"), captions printed twice in a row, and a lede
printed once alone and again as the start of the next paragraph.
"""
from __future__ import annotations

import re

from rag.text.normalize import clean_unicode, fold

# Whole lines that are page chrome (matched on the folded, lowercased line).
_CHROME = re.compile(
    r"^(lien ket website|luot truy cap|thong ke\s*:?\s*[\d.,]+|online\s*:?\s*\d+"
    r"|dang truc tuyen\s*:?\s*\d+|truy cap\s*:?\s*[\d.,]+|chia se|in bai( viet)?|gui email)$"
)
# A line that starts the tail of comments or related links: it and all after it go.
_TAIL = re.compile(r"^(y kien ban doc|tin lien quan|bai viet lien quan|tin khac|cac tin khac|binh luan)\s*:?$")
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
