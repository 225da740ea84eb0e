"""A content-hash embedding cache: a text embedded once by a model is never embedded again by it,
so re-ingesting changed reports, rebuilding an eval corpus or rerunning a benchmark pays only
for the texts that changed.

`SQLiteByteStore` is LangChain's `ByteStore` over one SQLite file (several processes may share it);
`CachedEmbeddings` keys each passage by sha256(model id, text) and stores float32 vectors.
Questions are not cached: each is new, and embedding one is cheap.
"""
from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.stores import ByteStore

_CHUNK = 500  # SQLite's limit on bound parameters is far above this


class SQLiteByteStore(ByteStore):
    """Keys to bytes in one SQLite file (WAL: readers never wait for a writer)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL)")

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:  # one connection per thread
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def mget(self, keys: Sequence[str]) -> list[bytes | None]:
        found: dict[str, bytes] = {}
        db = self._db()
        for i in range(0, len(keys), _CHUNK):
            part = list(keys[i : i + _CHUNK])
            marks = ",".join("?" * len(part))
            found.update(db.execute(f"SELECT key, value FROM kv WHERE key IN ({marks})", part).fetchall())
        return [found.get(k) for k in keys]

    def mset(self, key_value_pairs: Sequence[tuple[str, bytes]]) -> None:
        with self._db() as db:
            db.executemany("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", list(key_value_pairs))

    def mdelete(self, keys: Sequence[str]) -> None:
        with self._db() as db:
            db.executemany("DELETE FROM kv WHERE key = ?", [(k,) for k in keys])

    def yield_keys(self, prefix: str | None = None) -> Iterator[str]:
        query, args = "SELECT key FROM kv", ()
        if prefix:
            query, args = "SELECT key FROM kv WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        for (key,) in self._db().execute(query, args).fetchall():
            yield key


class CachedEmbeddings(Embeddings):
    """`inner` with its passage vectors kept in `store`, keyed by the model id and the text."""

    def __init__(self, inner: Embeddings, store: ByteStore, model_id: str) -> None:
        self.inner = inner
        self.store = store
        self.model_id = model_id
        self.model_file = getattr(inner, "model_file", "")
        self.hits = self.misses = 0  # for the benchmark

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\0{text}".encode()).hexdigest()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key(t) for t in texts]
        cached = self.store.mget(keys)
        todo = list(dict.fromkeys(t for t, v in zip(texts, cached) if v is None))  # each new text once
        fresh = dict(zip(todo, self.inner.embed_documents(todo))) if todo else {}
        if fresh:
            self.store.mset([(self._key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in fresh.items()])
        self.hits += len(texts) - sum(v is None for v in cached)
        self.misses += len(todo)
        return [fresh[t] if v is None else np.frombuffer(v, dtype=np.float32).tolist() for t, v in zip(texts, cached)]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)
