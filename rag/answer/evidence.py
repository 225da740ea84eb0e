"""Evidence tests on one candidate sentence: does it state the kind of fact asked for,
and does its report contain a named thing from the question?"""
from __future__ import annotations

import re

from rag.text.normalize import fold, match_key

_SURNAMES = (
    # Surnames that are also the first syllable of a place (Hà Tĩnh, Cao Bằng) are left out.
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Tán Trịnh Đinh Lâm Tô"
    " Lương Đào Đoàn Vương Trương Lại Kiều Lưu Quách Tạ Triệu".split()
)
# Latin letters with Vietnamese diacritics, split by case (a range like À-Ỹ mixes cases).
_LATIN = [chr(c) for r in ((0x41, 0x5B), (0x61, 0x7B), (0xC0, 0x250), (0x1E00, 0x1F00)) for c in range(*r)]
_UP = "[" + "".join(c for c in _LATIN if c.isalpha() and c.isupper()) + "]"
_LOW = "[" + "".join(c for c in _LATIN if c.isalpha() and c.islower()) + "]"
_CAP = rf"{_UP}{_LOW}+\b"
_PART = rf"{_UP}{_LOW}*\b"  # a name syllable may be one capital: Vàng A Sùng
_PERSON = re.compile(
    rf"(?:\b(?:đồng chí|ông|bà|Ông|Bà|Đồng chí)\s+{_CAP}(?:\s+{_PART}){{1,3}})"
    rf"|(?:\b(?:{'|'.join(_SURNAMES)})(?:\s+{_PART}){{1,3}})"
    rf"|(?:\b{_UP}{{2,}}\b(?:\s+[–-]?\s*{_UP}{{2,}}\b)+)"  # a byline in capitals: HẢI LĂNG – NHÂN TÂM
)
_DATE = re.compile(
    r"\b\d{1,2}[-/.]\d{1,2}(?:[-/.]\d{2,4})?\b|\b(?:ngày|tháng)\s+\d{1,2}\b|\b(?:19|20)\d{2}\b|\b\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|trăm|nghìn|ngàn|triệu)\b", re.IGNORECASE
)
_PLACE = re.compile(rf"\b(?:tại|ở|về)\s+(?:huyện|tỉnh|TP\.?|thành phố|thị xã|xã|quận)?\s*{_CAP}|\bgồm\s*:")
_ROLE = re.compile(
    r"\b(?:bí thư|phó bí thư|ủy viên|uỷ viên|trưởng ban|phó trưởng ban|chủ tịch|chủ nhiệm|vụ trưởng|"
    r"phó ban|trưởng|giám đốc|thường trực|cụm trưởng|cụm phó)\b",
    re.IGNORECASE,
)
_RESOLUTION = re.compile(
    r"\b(?:nghị quyết|chỉ thị|quy định|kết luận|NQ|T\.Ư\d|T\.W\d)\b", re.IGNORECASE
)
_ENUMERATION = re.compile(r":\s*[^,;:]+[,;][^,;:]+[,;]")  # "gồm: A, B, C"


def _holds_list(sentence: str) -> bool:
    """An enumeration: after a colon, several `;`-items, or three short comma items in a row."""
    if _ENUMERATION.search(sentence) or sentence.count(";") >= 2:
        return True
    if ";" in sentence and re.search(r"\bvà\b", sentence.rsplit(";", 1)[1]):
        return True
    items = [len(part.split()) for part in re.split(r"[,;]", sentence)]
    run = 0
    for n in items:
        run = run + 1 if n <= 5 else 0
        if run >= 3:
            return True
    return False


class _ListTest:
    search = staticmethod(_holds_list)


_LIST = _ListTest()

_ORG = re.compile(
    r"\b(?:Ban|Vụ|Sở|Tỉnh ủy|Tỉnh uỷ|Thành ủy|Thành uỷ|Bộ|Cụm|Đảng bộ|Hội đồng|Ủy ban|Uỷ ban|Cục)\s+\w"
)

_KIND_TESTS = {
    "org": _ORG,
    "person": _PERSON,
    "date": _DATE,
    "number": _NUMBER,
    "place": _PLACE,
    "role": _ROLE,
    "resolution": _RESOLUTION,
    "list": _LIST,
}
# Kinds whose absence in the leading sentence means the question is not answered.
STRICT_KINDS = frozenset({"person", "date", "number", "place", "role", "resolution", "org"})


_COUNT_WORDS = r"(?:\d+|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|tat ca)"


def states_kind(sentence: str, kind: str, counted: str = "") -> bool:
    """Whether the sentence states a fact of this kind; for a count of `counted` things
    ("bao nhiêu tỉnh"), a number right before that noun ("8 tỉnh")."""
    if kind == "number" and counted:
        return re.search(rf"\b{_COUNT_WORDS}\s+(?:\w+\s+)?{re.escape(counted)}\b", fold(sentence)) is not None
    test = _KIND_TESTS.get(kind)
    return True if test is None else bool(test.search(sentence))


def contains_phrase(text_key: str, text_folded: str, phrase: str) -> bool:
    """`phrase` is a match key (accented) or a folded key; compared with word boundaries."""
    haystack = text_key if fold(phrase) != phrase else text_folded
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", haystack) is not None


def keys(text: str) -> tuple[str, str]:
    key = match_key(text)
    return key, fold(key)


_NAME = re.compile(
    rf"(?:đồng chí|ông|bà|Ông|Bà|Đồng chí)\s+({_CAP}(?:\s+{_PART}){{1,3}})|\b((?:{'|'.join(_SURNAMES)})(?:\s+{_PART}){{1,3}})"
)


def person_names(text: str) -> list[str]:
    """Names of people in a text, in order ("Nguyễn Thừa Việt", "Đỗ Trọng Hưng")."""
    return list(dict.fromkeys(m.group(1) or m.group(2) for m in _NAME.finditer(text)))
