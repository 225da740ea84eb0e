"""Sentence-aware chunking with exact offsets into the cleaned text.

A LangChain `TextSplitter`, so it composes with the ecosystem; `split_spans` is
what ingest uses, because citations need `text[start:end] == chunk`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_text_splitters import TextSplitter

from rag.text.sentences import Span, split_spans


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str


class SentenceChunker(TextSplitter):
    """Packs whole sentences up to `chunk_size` characters; consecutive chunks share
    `overlap_sentences` sentences. A sentence longer than the limit stays whole unless it
    exceeds twice the limit, then it is cut at spaces.

    900 characters of Vietnamese is about 250 XLM-R tokens: well inside e5's 512 window.
    """

    def __init__(self, chunk_size: int = 900, overlap_sentences: int = 1, **kwargs: Any) -> None:
        super().__init__(chunk_size=chunk_size, chunk_overlap=0, **kwargs)
        self.overlap_sentences = overlap_sentences

    def split_text(self, text: str) -> list[str]:
        return [text[s.start : s.end] for s in self.split_spans(text)]

    def split_spans(self, text: str) -> list[Span]:
        sentences = [piece for s in split_spans(text) for piece in self._cut_long(text, s)]
        chunks: list[Span] = []
        i = 0
        while i < len(sentences):
            j = i + 1
            while j < len(sentences) and sentences[j].end - sentences[i].start <= self._chunk_size:
                j += 1
            chunks.append(Span(sentences[i].start, sentences[j - 1].end))
            if j >= len(sentences):
                break
            i = max(i + 1, j - self.overlap_sentences)
        return chunks

    def chunks(self, doc_id: str, text: str) -> list[Chunk]:
        return [
            Chunk(f"{doc_id}:{n:03d}", doc_id, n, s.start, s.end, text[s.start : s.end])
            for n, s in enumerate(self.split_spans(text))
        ]

    def _cut_long(self, text: str, span: Span) -> list[Span]:
        limit = 2 * self._chunk_size
        if span.end - span.start <= limit:
            return [span]
        pieces, start = [], span.start
        while span.end - start > limit:
            cut = text.rfind(" ", start, start + self._chunk_size)
            cut = cut if cut > start else start + self._chunk_size
            pieces.append(Span(start, cut))
            start = cut + 1 if text[cut] == " " else cut
        pieces.append(Span(start, span.end))
        return pieces
