"""A LangChain chat model over a local GGUF file, run in-process by llama-cpp-python.

The model's own chat template (stored in the GGUF) formats the messages. One loaded model
per (file, context, threads) is kept for the life of the process: loading costs a second
or two and the memory of the weights, and every pipeline of the process shares it.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
_LOCK = threading.Lock()  # one llama context: one generation at a time


@lru_cache(maxsize=2)
def _load(path: str, n_ctx: int, n_threads: int):
    from llama_cpp import Llama

    return Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, verbose=False)


class ChatLlamaCpp(BaseChatModel):
    """`ChatLlamaCpp(model_path="model.gguf").invoke("Xin chào")`."""

    model_path: str
    n_ctx: int = 4096
    # On two busy cores one thread was as fast as two; default: all but one core, at least one.
    n_threads: int = max(1, (os.cpu_count() or 2) - 1)
    max_tokens: int = 256
    temperature: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx, "max_tokens": self.max_tokens}

    def _request(self, messages: list[BaseMessage], stop: list[str] | None) -> dict:
        return {
            "messages": [{"role": _ROLES.get(m.type, "user"), "content": m.content} for m in messages],
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stop": stop or [],
        }

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        llm = _load(self.model_path, self.n_ctx, self.n_threads)
        with _LOCK:
            out = llm.create_chat_completion(**self._request(messages, stop))
        text = out["choices"][0]["message"]["content"] or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text, usage_metadata={
            "input_tokens": out["usage"]["prompt_tokens"], "output_tokens": out["usage"]["completion_tokens"],
            "total_tokens": out["usage"]["total_tokens"],
        }))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        llm = _load(self.model_path, self.n_ctx, self.n_threads)
        with _LOCK:
            for part in llm.create_chat_completion(**self._request(messages, stop), stream=True):
                token = part["choices"][0]["delta"].get("content") or ""
                if not token:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=token))
                if run_manager:
                    run_manager.on_llm_new_token(token, chunk=chunk)
                yield chunk
