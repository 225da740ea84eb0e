"""The chat models an LLM answer can come from, registered in one place.

`chat_model(settings)` returns a LangChain chat model: an OpenAI-compatible server through
`langchain-openai` when `llm_base_url` is set, else a local GGUF run by llama-cpp-python
(the default Qwen model assembled into the cache on first use). Both are imported lazily:
the extractive default pays nothing for them.
"""
from __future__ import annotations

import os
from pathlib import Path

from rag.settings import Settings


class GeneratorUnavailable(RuntimeError):
    """The LLM parts are not installed or the model file is missing."""


def chat_model(settings: Settings, progress: bool = True):
    """(chat model, its name for answers: "llm:<model>")."""
    if settings.llm_base_url:
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:
            raise GeneratorUnavailable("the LLM parts are not installed: pip install 'baocao[llm]'") from exc
        if not settings.llm_model:
            raise GeneratorUnavailable("llm_base_url is set but llm_model (the server's model name) is not")
        key = os.environ.get(settings.llm_api_key_env) or "not-needed"  # local servers take any key
        chat = ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model, api_key=key,
                          temperature=0, max_tokens=settings.llm_max_tokens, timeout=120, max_retries=1)
        return chat, f"llm:{settings.llm_model}"
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        raise GeneratorUnavailable(
            "llama-cpp-python is not installed: `make install-llm` (or pip install 'baocao[llm]')"
        ) from exc
    from rag.generators.llama_cpp_chat import ChatLlamaCpp

    path = Path(settings.llm_model).expanduser() if settings.llm_model else None
    if path is None:
        from rag.generators.gguf_parts import ensure_gguf

        path = ensure_gguf(settings.cache_dir, progress=progress)
    elif not path.is_file():
        raise GeneratorUnavailable(f"no model file at {path}")
    options = {"n_threads": settings.llm_threads} if settings.llm_threads else {}
    chat = ChatLlamaCpp(model_path=str(path), max_tokens=settings.llm_max_tokens, **options)
    return chat, f"llm:{path.stem}"
