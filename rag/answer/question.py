"""What a question asks for: the kind of fact, its content terms, and the named things
(names, places, numbers, years, roman numerals) an answer must be tied to.

Works on questions typed with or without diacritics, and on English questions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.glossary import translate_terms
from rag.text.normalize import clean_unicode, fold, match_key, words
from rag.text.tokens import EN_STOPWORDS, is_english, query_tokens

# Kinds of fact, detected on the folded question (so `o dau` works like `ở đâu`); first match wins.
_KINDS = [
    ("source", r"\b(bao nao|nguon|dang tren|trang nao|outlet|source|published|newspaper|website nao)\b"),
    ("author", r"\b(ai viet|tac gia|phong vien|nguoi viet|but danh|author|who wrote|written by|reporter)\b"),
    ("published", r"\b(dang (luc|vao luc|ngay|vao ngay|khi) nao|dang luc may gio|ngay dang|thoi diem dang|when was .* published|publication date)\b"),
    ("number", r"\b(bao nhieu|may (tinh|nguoi|nhiem vu|don vi|ban|lan|thang|nam|dai bieu)|so luong|how many|how much|number of)\b"),
    ("date", r"\b(khi nao|luc nao|bao gio|ngay nao|ngay may|thang nao|nam nao|thoi gian nao|thoi diem nao|nhiem ky nao|giai doan nao|when|what date|what year|which year|which day|which term)\b"),
    ("place", r"\b(o dau|tai dau|dia diem|noi nao|dia phuong nao|thanh pho nao|huyen nao|where|which city|which town|what city)\b"),
    ("role", r"\b(chuc vu|giu chuc|chuc danh|cuong vi|what position|what role|which post|what title)\b"),
    ("person", r"(^|\s)(ai|nguoi nao|dong chi nao|ong nao|ba nao|who|whom|whose)(\s|\?|$)"),
    ("org", r"\b(co quan nao|don vi nao|to chuc nao|ban nao|which agency|which organization|which body|what body)\b"),
    ("resolution", r"\b(nghi quyet nao|chi thi nao|quy dinh nao|ket luan nao|nq nao|which resolution|what resolution|which directive)\b"),
    ("list", r"\b(nhung (tinh|nhiem vu|noi dung|giai phap|don vi|ai|gi|du thao)|cac (tinh|nhiem vu|noi dung|giai phap|don vi) nao|gom (nhung )?(tinh|ai|nhung)|ke ten|liet ke|tinh nao|which provinces|what tasks|list|name the)\b"),
]
_COUNT = re.compile(r"\b(?:bao nhieu|may|how many|number of)\s+(\w+(?:\s\w+)?)")
_ACROSS = re.compile(
    r"\b((nhung|cac) (hoi nghi|ban tin|bao cao|bai bao|bai viet|cum thi dua|cum)( nao)?|(hoi nghi|ban tin|bao cao) nao"
    r"|which (reports|conferences|meetings|articles)|both (reports|conferences))\b"
)
_PLURAL = re.compile(r"\b(nhung|cac|which provinces|what are)\b")

# Words that ask rather than name. Compared accented when typed with diacritics, because
# folded `dau` is also `đầu` and `bao` also `báo`; typed plain, only unambiguous folds count.
_QUESTION_WORDS = frozenset(
    match_key(w) for w in "ai gì nào đâu sao bao nhiêu mấy khi lúc hãy hỏi liệt kê cho biết".split()
)
_QUESTION_WORDS_PLAIN = frozenset("ai gi nao sao nhieu khi luc".split())
# Words that frame what is asked ("giữ chức vụ gì", "có sự tham dự của ai"): the answer
# states the fact, not these words, so they do not count as the question's subject.
_FRAME_WORDS = frozenset(
    match_key(w) for w in "giữ sự tham dự nội dung vấn đề mục tiêu nói việc điều gồm làm diễn ra tên người"
    " kể hướng tới trở thành mấy số lượng so sánh khác nhau giống ông bà vị đồng chí"
    " đang từng đã hiện sẽ vừa nhắc đề cập bản tin tài liệu viết".split()
)
# Typed without diacritics, only folds that are not also common content or name syllables.
_FRAME_WORDS_PLAIN = frozenset("giu gom ke luong sanh giong ong ba noi dung van muc tieu".split())
# Capitalized words every report shares: not names that tell a report apart. Compared
# accented, because folding would make `Thanh` (a name) look like `thành` (generic).
_GENERIC_CAPS = frozenset(
    match_key(w)
    for w in "ban tổ chức tỉnh ủy uỷ trung ương đảng hội nghị cụm thi đua bí thư phó chủ tịch thường trực vụ"
    " khu vực miền huân chương nhà nước chính phủ đồng chí ông bà ngày năm tháng sáng chiều theo tại ở trong"
    " khi ai hãy cho biết những các và có là bộ thành phố tp hđnd ubnd btv bch nq trưởng viên nhiệm"
    " thường vụ lãnh đạo đại biểu đại hội nghị quyết chỉ thị".split()
)
# The same for words typed without diacritics, leaving out folds that are also name syllables.
_GENERIC_PLAIN = frozenset(
    "ban to chuc tinh uy trung uong hoi nghi cum thi dua bi thu pho chu tich vu khu vuc mien huan chuong"
    " ngay hdnd ubnd btv bch tp nq truong vien nhiem thuong lanh dao dai bieu quyet".split()
) | EN_STOPWORDS | _QUESTION_WORDS_PLAIN
_ROMAN = re.compile(r"^[IVXLC]+$")
_YEAR = re.compile(r"\b(19|20)\d{2}$")
_NUMBER_LEAD = frozenset(fold(w) for w in "số khóa khoá năm kỳ lần thứ cụm".split())
# A named thing right after these words places the event ("hội nghị ở Nha Trang"):
# the report as a whole may state it; other named things must be in the answer sentence.
_LOCATIVE = frozenset("o tai in at".split())
# Common words that open a question with a capital ("Ngoài Thanh Hóa, …"): not part of a name.
_OPENERS = frozenset(
    match_key(w) for w in "ngoài trong theo tại ở năm hội các những vị ông bà đồng ban bài báo khi sau trước từ"
    " đến cùng việc nội tỉnh thành cụm có được là ai gì nào hãy cho nêu kể liệt bản số tên với về".split()
)
_TOKEN = re.compile(r"[\w][\w./-]*\w|\w", re.UNICODE)


@dataclass(frozen=True)
class Question:
    text: str
    kind: str  # source | author | published | number | date | place | role | person | org | resolution | list | other
    english: bool
    terms: tuple[str, ...]  # lexical tokens without question words (folded, ~accented, bigrams)
    core: tuple[str, ...]  # the terms an answer sentence should carry: all but framing words
    subject: tuple[str, ...]  # the core terms that do not touch a named thing
    entities: tuple[str, ...]  # phrases (match keys; folded when typed without diacritics)
    event_entities: frozenset[str]  # the entities that place the event ("ở X", "số III"): anywhere in its report
    years: frozenset[str] = frozenset()  # years name the event too, but only in the report's opening or date
    counted: str = ""  # folded noun after "bao nhiêu" ("tinh"), for number questions
    plural: bool = False  # asks for several things ("những", "các")
    across: bool = False  # asks which reports/conferences: one sentence from each report


def analyze(question: str) -> Question:
    text = clean_unicode(question).strip()
    english = is_english(text)
    folded = fold(text)
    kind = next((name for name, pattern in _KINDS if re.search(pattern, folded)), "other")
    entities, event = _entities(text)
    named = set().union(*(query_tokens(e) for e in entities)) if entities else set()
    core = _core(text)
    count = _COUNT.search(folded)
    counted = ""
    if count:
        counted = fold(translate_terms(count.group(1)).split(" ")[0]) if english else count.group(1).split()[0]
    return Question(
        text=text,
        kind=kind,
        english=english,
        terms=tuple(query_tokens(text, drop=_is_question_word)),
        core=tuple(core),
        subject=tuple(t for t in core if not (set(t.split("_")) & named)),
        entities=tuple(entities),
        event_entities=frozenset(e for e in event if not _YEAR.search(e)),
        years=frozenset(e for e in event if _YEAR.search(e)),
        counted=counted,
        plural=bool(_PLURAL.search(folded)),
        across=bool(_ACROSS.search(folded)),
    )


def _entities(text: str) -> tuple[list[str], set[str]]:
    tokens = _TOKEN.findall(text.rstrip("?.! "))
    found: list[str] = []
    event: set[str] = set()
    run: list[str] = []
    run_after_locative = False

    def close_run() -> None:
        while run and _generic(run[0]):
            run.pop(0)
        while run and _generic(run[-1]):
            run.pop()
        if run and run[0] is tokens[0] and (len(run) == 1 or match_key(run[0]) in _OPENERS):
            run.pop(0)  # a capital opening the question is only its first word
        while run and _generic(run[0]):
            run.pop(0)
        if run:
            key = _key(" ".join(run))
            found.append(key)
            if run_after_locative:
                event.add(key)
        run.clear()

    for i, tok in enumerate(tokens):
        prev = fold(tokens[i - 1]) if i else ""
        if tok[0].isdigit() or _ROMAN.match(tok):
            close_run()
            key = _key(f"{tokens[i - 1]} {tok}" if prev in _NUMBER_LEAD else tok)
            found.append(key)
            event.add(key)  # cluster numbers, terms, years: they identify the event
        elif tok[0].isupper() and len(tok) > 1:
            if not run:
                run_after_locative = prev in _LOCATIVE
            run.append(tok)
        else:
            close_run()
    close_run()
    return list(dict.fromkeys(found)), event


def _core(text: str) -> list[str]:
    """The question's terms minus framing words and the noun naming the asked type
    ("nhiệm kỳ nào", "chức vụ gì"): the answer states an instance, not that noun."""
    ws = words(text)
    asked = set()
    for i, w in enumerate(ws):
        if fold(w) in ("nao", "gi"):  # "chức vụ gì", "cơ quan nào", "nhiệm kỳ nào"
            asked.update(x for x in ws[max(0, i - 2) : i] if not _is_frame_word(x))
    return query_tokens(text, drop=lambda w: w in asked or _is_frame_word(w))


def _is_frame_word(word: str) -> bool:
    if _is_question_word(word):
        return True
    return word in _FRAME_WORDS if fold(word) != word else word in _FRAME_WORDS_PLAIN


def _is_question_word(word: str) -> bool:
    return word in _QUESTION_WORDS if fold(word) != word else word in _QUESTION_WORDS_PLAIN


def _generic(word: str) -> bool:
    key = match_key(word)
    return key in _GENERIC_CAPS if fold(key) != key else key in _GENERIC_PLAIN


def _key(phrase: str) -> str:
    """Accented match key when typed with diacritics, else folded (so both spellings match)."""
    key = match_key(phrase)
    return key if fold(key) != key else fold(key)
