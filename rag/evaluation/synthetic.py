"""A deterministic corpus of realistic Vietnamese report text at any size, for the scale benchmark.

Each synthetic report is a run of one given report's sentences about another province, year, cast
of people, dates, resolutions and numbers, kept the same through the report: the same kind of
report from elsewhere, so its passages look like the real ones (distractors a retriever must rank
below the real answer). A sentence with nothing to swap is never used. The names come from a
vocabulary file (`eval/bench_vocab.toml`: surnames, middle and given names, provinces, regions),
never from this code; the same seed gives the same corpus.
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
_DATE = re.compile(r"\b(\d{1,2})([-/.])(\d{1,2})\b(?=[-/.](?:19|20)\d{2}\b|(?![-/.]\d))")  # "26/6", "26/6/2019"
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_NUMBER = re.compile(r"\b(số|gồm|có)\s+(\d{1,3})\b")
# how many units ("12 tỉnh, thành phố", "20 đơn vị")
_COUNT = re.compile(r"\b(\d{1,3})(\s+(?:tỉnh|đơn vị|huyện|xã|địa phương)\b)")
_ROMAN = re.compile(r"\b(số|[Kk]hóa|[Kk]hoá)\s+([IVX]{1,4}(?:\s*,\s*[IVX]{1,4})*)\b")  # "khóa XI, XII"
_ROMAN_ONE = re.compile(r"[IVX]+")
# which resolution: "Nghị quyết Trung ương 9", "NQ T.Ư 3", "12-NQ/TW", "Nghị quyết 21", "lần thứ 3"
_RESOLUTION = re.compile(r"\b((?:Trung ương|T\.Ư|T\.W|TW)\s*|(?:Nghị quyết|Chỉ thị|Kết luận|Quy định)\s+|lần thứ\s+)(\d{1,3})\b"
                         r"|\b(\d{1,3})(-(?:NQ|CT|KL|QĐ)/)")
_ROMANS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_CAP = r"[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴẤẦẨẪẬẮẰẲẴẶẾỀỂỄỆỐỒỔỖỘỚỜỞỠỢỨỪỬỮỰ][\wÀ-ỹ]*"


# Bumped when the recombination changes, so a benchmark never reuses a corpus of the old one.
GENERATOR_VERSION = 4


def corpus_key(vocabulary: dict[str, list[str]]) -> str:
    """Names a corpus by what made it: the generator's version and the vocabulary."""
    digest = hashlib.sha256(json.dumps(vocabulary, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"g{GENERATOR_VERSION}-{digest[:8]}"


def load_vocabulary(path: str | Path) -> dict[str, list[str]]:
    with open(path, "rb") as f:
        return tomllib.load(f)


def _folded(name: str) -> str:
    """One spelling of a name however its tones are placed or it is capitalised ("Hoá", "hóa")."""
    return canonical_tones(name).casefold()


class _Cast:
    """Who, where and when one synthetic report is about: each name, place, number and year of its
    source gets one other value, the same wherever it recurs, as a real report keeps one place, one
    year and one cast from its first line to its last."""

    def __init__(self, rng: random.Random, taken: set[str]) -> None:
        self.values: dict[tuple[str, str], str] = {}
        self.taken = {_folded(t) for t in taken}  # values it may not take: its source's own, those given out
        self.year_shift = rng.choice([d for d in range(-10, 4) if d])
        self.place = ""  # the report's province
        self.title_year = ""

    def swap(self, kind: str, original: str, draw) -> str:
        """The value `original` becomes in this report; `draw()` proposes one (never the original)."""
        key = (kind, original)
        if key not in self.values:
            value = draw()
            for _ in range(50):
                if _folded(value) != _folded(original) and _folded(value) not in self.taken:
                    break
                value = draw()
            self.values[key] = value
            self.taken.add(_folded(value))
        return self.values[key]

    def year(self, original: str) -> str:
        return str(int(original) + self.year_shift)


class Recombiner:
    """Reports like the source ones about other people, places, dates and numbers.

    A synthetic report is a run of one source report's sentences, each name, place, date, year,
    resolution and number swapped for another, the same one wherever it recurs in the report (a
    `_Cast`): the same kind of report from another province and year, the distractor a real
    archive holds. None keeps a name of its source: that would be a second report of the same fact.
    """

    def __init__(self, texts: list[str], vocabulary: dict[str, list[str]], seed: int = 0) -> None:
        # only sentences with something to swap: a sentence copied as it is would be a second
        # report stating the same fact, not a distractor
        self.sources = [kept for t in texts if (kept := [s for s in split(t) if len(s) > 40 and self._swappable(s)])]
        if not self.sources:
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

    def _names(self, text: str) -> list[str]:
        return list(dict.fromkeys(person_names(text) + self._full_name.findall(text)))

    def _cast(self, sentences: list[str], place: str | None = None) -> _Cast:
        """A cast for a report made of `sentences`: none of their names; their most named province
        becomes the report's place (`cast.place`: `place`, or a province they do not name)."""
        text = canonical_tones(" ".join(sentences))
        provinces = self._province.findall(text)
        cast = _Cast(self.rng, set(self._names(text)) | set(provinces))
        main = max(provinces, key=provinces.count) if provinces else ""
        if place is not None:
            cast.values[("province", main)] = place
            cast.taken.add(_folded(place))
        cast.place = cast.swap("province", main, lambda: self.rng.choice(self.vocabulary["provinces"]))
        years = [m.group(0) for m in _YEAR.finditer(text)]
        cast.title_year = cast.year(max(years, key=years.count)) if years else str(self.rng.randint(2005, 2024))
        return cast

    def sentence(self, place: str, text: str | None = None, cast: _Cast | None = None) -> str:
        """`text` (a random source sentence when None) with its names swapped by `cast` (a new
        one for this sentence alone when None) and its places in `place`."""
        r = self.rng
        text = canonical_tones(text if text is not None else r.choice(r.choice(self.sources)))
        cast = cast or self._cast([text], place)
        v = self.vocabulary
        for name in self._names(text):
            text = text.replace(name, cast.swap("person", name, self.person))
        text = self._province.sub(lambda m: cast.swap("province", m.group(0), lambda: r.choice(v["provinces"])), text)
        text = _PLACE.sub(lambda m: f"{m.group(1)} {place}", text)
        if self._region is not None:
            text = self._region.sub(lambda m: cast.swap("region", m.group(0).casefold(), lambda: r.choice(v["regions"])), text)
        text = _ROMAN.sub(lambda m: m.group(1) + " " + _ROMAN_ONE.sub(
            lambda n: cast.swap("roman", n.group(0), lambda: r.choice(_ROMANS)), m.group(2)), text)
        text = _RESOLUTION.sub(lambda m: self._resolution(m, cast), text)
        text = _COUNT.sub(lambda m: cast.swap("count", m.group(1), lambda: str(r.randint(2, 60))) + m.group(2), text)
        text = _DATE.sub(lambda m: cast.swap("date", m.group(1) + "/" + m.group(3),
                                             lambda: f"{r.randint(1, 28)}/{r.randint(1, 12)}").replace("/", m.group(2)), text)
        text = _YEAR.sub(lambda m: cast.year(m.group(0)), text)
        return _NUMBER.sub(lambda m: f"{m.group(1)} {cast.swap('number', m.group(2), lambda: str(r.randint(2, 60)))}", text)

    def _resolution(self, m: re.Match, cast: _Cast) -> str:
        r = self.rng
        if m.group(1) is None:  # "12-NQ/TW"
            return cast.swap("resolution", m.group(3), lambda: str(r.randint(1, 60))) + m.group(4)
        plenum = m.group(1).strip() in ("Trung ương", "T.Ư", "T.W", "TW")  # a Central Committee plenum: 1-15
        return m.group(1) + cast.swap("plenum" if plenum else "resolution", m.group(2),
                                      lambda: str(r.randint(1, 15 if plenum else 60)))

    def report(self, sentences: int) -> str:
        r = self.rng
        source = r.choice(self.sources)
        start = r.randrange(max(1, len(source) - sentences + 1))
        run = source[start : start + sentences]
        cast = self._cast(run)
        body = [self.sentence(cast.place, s, cast) for s in run]
        title = f"Báo cáo công tác năm {cast.title_year} của tỉnh {cast.place}"
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
