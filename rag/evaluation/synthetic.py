"""A deterministic corpus of realistic Vietnamese report text at any size, for the scale benchmark.

Each synthetic report recombines sentences of the given reports with other people, places,
regions, dates, years, resolutions and numbers, so its passages look like the real ones
(distractors a retriever must rank below the real answer); a sentence with nothing to swap is
never used. The names come from a vocabulary file (`eval/bench_vocab.toml`: surnames, middle and
given names, provinces, regions), never from this code; the same seed gives the same corpus.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import tomllib
from pathlib import Path

from rag.answer.kinds import person_names
from rag.text.normalize import canonical_tones
from rag.text.sentences import split

_PLACE = re.compile(r"\b(tỉnh|Tỉnh|huyện|thành phố|TP\.?)\s+((?:[A-ZĐÂÊÔƠƯÁÀẢÃẠ][\wÀ-ỹ]*)(?:\s+[A-ZĐ][\wÀ-ỹ]*)*)")
_DATE = re.compile(r"\b(\d{1,2})([-/.])(\d{1,2})\b(?![-/.]\d)")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_NUMBER = re.compile(r"\b(số|gồm|có)\s+(\d{1,3})\b")
# how many units ("12 tỉnh, thành phố", "20 đơn vị")
_COUNT = re.compile(r"\b(\d{1,3})(\s+(?:tỉnh|đơn vị|huyện|xã|địa phương)\b)")
_ROMAN = re.compile(r"\b(số|[Kk]hóa|[Kk]hoá)\s+([IVX]{1,4})\b")
# which resolution: "Nghị quyết Trung ương 9", "NQ T.Ư 3", "12-NQ/TW", "Nghị quyết 21", "lần thứ 3"
_RESOLUTION = re.compile(r"\b((?:Trung ương|T\.Ư|T\.W|TW)\s*|(?:Nghị quyết|Chỉ thị|Kết luận|Quy định)\s+|lần thứ\s+)(\d{1,3})\b"
                         r"|\b(\d{1,3})(-(?:NQ|CT|KL|QĐ)/)")
_ROMANS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_CAP = r"[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴẤẦẨẪẬẮẰẲẴẶẾỀỂỄỆỐỒỔỖỘỚỜỞỠỢỨỪỬỮỰ][\wÀ-ỹ]*"


# Bumped when the recombination changes, so a benchmark never reuses a corpus of the old one.
GENERATOR_VERSION = 3


def corpus_key(vocabulary: dict[str, list[str]]) -> str:
    """Names a corpus by what made it: the generator's version and the vocabulary."""
    digest = hashlib.sha256(json.dumps(vocabulary, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"g{GENERATOR_VERSION}-{digest[:8]}"


def load_vocabulary(path: str | Path) -> dict[str, list[str]]:
    with open(path, "rb") as f:
        return tomllib.load(f)


class Recombiner:
    """Sentences of the source reports with their names, places, dates and numbers swapped."""

    def __init__(self, texts: list[str], vocabulary: dict[str, list[str]], seed: int = 0) -> None:
        # only sentences with something to swap: a sentence copied as it is would be a second
        # report stating the same fact, not a distractor
        self.sentences = [s for t in texts for s in split(t) if len(s) > 40 and self._swappable(s)]
        if not self.sentences:
            raise ValueError("the source reports have no sentences to recombine")
        self.vocabulary = vocabulary
        self.rng = random.Random(seed)
        # every province of the vocabulary, in either tone placement, and any three-syllable
        # name with a common middle name ("X Văn Y"): a name left as it is would make the
        # distractor a second report of the same fact
        provinces = sorted({canonical_tones(p) for p in vocabulary["provinces"]}, key=len, reverse=True)
        self._province = re.compile(r"\b(?:" + "|".join(map(re.escape, provinces)) + r")\b")
        # the vocabulary's regions, written with a capital or not
        regions = sorted(vocabulary.get("regions", []), key=len, reverse=True)
        self._region = re.compile(r"\b(?:" + "|".join(re.escape(r) for r in regions) + r")\b", re.IGNORECASE) if regions else None
        middles = "|".join(map(re.escape, vocabulary["middle_names"]))
        self._full_name = re.compile(rf"\b{_CAP}\s+(?:{middles})\s+{_CAP}\b")

    @staticmethod
    def _swappable(sentence: str) -> bool:
        return bool(person_names(sentence) or any(p.search(sentence) for p in (_PLACE, _DATE, _YEAR, _NUMBER, _ROMAN,
                                                                                _COUNT, _RESOLUTION)))

    def person(self) -> str:
        v, r = self.vocabulary, self.rng
        return f"{r.choice(v['surnames'])} {r.choice(v['middle_names'])} {r.choice(v['given_names'])}"

    def sentence(self, place: str) -> str:
        r = self.rng
        text = canonical_tones(r.choice(self.sentences))
        for name in dict.fromkeys(person_names(text) + self._full_name.findall(text)):
            text = text.replace(name, self.person())
        text = self._province.sub(lambda m: r.choice(self.vocabulary["provinces"]), text)
        text = _PLACE.sub(lambda m: f"{m.group(1)} {place}", text)
        if self._region is not None:
            text = self._region.sub(lambda m: r.choice(self.vocabulary["regions"]), text)
        text = _ROMAN.sub(lambda m: f"{m.group(1)} {r.choice(_ROMANS)}", text)
        text = _RESOLUTION.sub(self._resolution, text)
        text = _COUNT.sub(lambda m: f"{r.randint(2, 60)}{m.group(2)}", text)
        text = _DATE.sub(lambda m: f"{r.randint(1, 28)}{m.group(2)}{r.randint(1, 12)}", text)
        text = _YEAR.sub(lambda m: str(r.randint(2005, 2024)), text)
        return _NUMBER.sub(lambda m: f"{m.group(1)} {r.randint(2, 60)}", text)

    def _resolution(self, m: re.Match) -> str:
        r = self.rng
        if m.group(1) is None:  # "12-NQ/TW"
            return f"{r.randint(1, 60)}{m.group(4)}"
        plenum = m.group(1).strip() in ("Trung ương", "T.Ư", "T.W", "TW")  # a Central Committee plenum: 1-15
        return f"{m.group(1)}{r.randint(1, 15 if plenum else 60)}"

    def report(self, sentences: int) -> str:
        place = self.rng.choice(self.vocabulary["provinces"])
        body = [self.sentence(place) for _ in range(sentences)]
        title = f"Báo cáo công tác năm {self.rng.randint(2005, 2024)} của tỉnh {place}"
        paragraphs = [" ".join(body[i : i + 4]) for i in range(0, len(body), 4)]
        return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def write_corpus(sources: list[Path], vocabulary: dict[str, list[str]], chars: int, out: Path, seed: int = 0,
                 ) -> list[Path]:
    """`out/` holding the source reports and synthetic ones until about `chars` characters in all."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sources:
        target = out / source.name
        target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        written.append(target)
    recombiner = Recombiner([p.read_text(encoding="utf-8") for p in sources], vocabulary, seed)
    total, n = sum(len(p.read_text(encoding="utf-8")) for p in written), 0
    while total < chars:
        text = recombiner.report(recombiner.rng.randint(8, 24))
        target = out / f"synthetic_{n:05d}.txt"
        target.write_text(text, encoding="utf-8")
        written.append(target)
        total += len(text)
        n += 1
    return written
