"""The Gradio chat app (`baocao serve`). It calls `rag` only; nothing in `rag` imports it."""
