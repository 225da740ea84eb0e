"""Finding passages: the Chroma store, BM25 indexes, the hybrid retriever and sentence search."""
