"""Blocks -> the blocks worth citing, their text normalized.

Removes what reports scraped from news sites carry: site chrome (link lists, share
buttons, visitor counters), comment and related-links tails, captions printed twice in
a row, and a lede printed once alone and again as the start of the next paragraph.
The chrome and tail phrases are the language profile's [clean]. Page furniture of PDFs
(page numbers, running headers, contents pages) is the PDF converter's to drop.
"""
from __future__ import annotations

import re
from dataclasses import replace

from rag.ingest.blocks import Block, lay_out, paragraphs_to_blocks
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
_SPACES = re.compile(r"\s+")
_MIN_LEDE = 40


def _normal(text: str) -> str:
    return _SPACES.sub(" ", clean_unicode(text)).strip()


def clean_blocks(blocks: list[Block] | tuple[Block, ...]) -> list[Block]:
    kept: list[Block] = []
    for block in blocks:
        if block.kind == "table":
            rows = tuple(tuple(_normal(c) for c in row) for row in block.rows)
            kept.append(replace(block, rows=rows))
            continue
        text = _normal(block.text)
        if not text:
            continue
        key = fold(text)
        if _TAIL.match(key):
            break
        if _CHROME.match(key):
            continue
        prev = kept[-1] if kept and kept[-1].kind != "table" else None
        if prev is not None and prev.text == text:
            continue  # a caption or line repeated twice in a row
        if prev is not None and len(prev.text) >= _MIN_LEDE and text.startswith(prev.text):
            kept[-1] = replace(block, text=text)  # the lede printed alone, then again as the paragraph's start
            continue
        kept.append(replace(block, text=text))
    return kept


def clean_text(raw: str) -> str:
    """Plain text, cleaned: each line a paragraph, separated by a blank line."""
    return lay_out(clean_blocks(paragraphs_to_blocks(clean_unicode(raw))))[0]
