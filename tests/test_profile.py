"""The language profile: one data file, loaded into one object, general Vietnamese only."""
from __future__ import annotations

import dataclasses
import importlib
import re
from pathlib import Path

import pytest

import rag.text.profile as profile_module
import rag.text.tokens as tokens
from rag.text.normalize import fold
from rag.text.profile import DEFAULT_PATH, LanguageProfile, profile

# Proper nouns and phrases of the seed reports: none may be part of the shipped profile,
# so the product works the same on anyone's reports.
SEED_NAMES = [
    "Nghệ An", "Thanh Hóa", "Hà Tĩnh", "Hà Giang", "Nha Trang", "Diễn Châu", "Sầm Sơn", "Khánh Hòa",
    "Cao Bằng", "Lạng Sơn", "Quảng Ninh", "Bắc Giang", "Đông Bắc", "Tây Nguyên", "Hồ Chí Minh",
    "baothanhhoa", "HGĐT", "Nguyễn Thừa Việt", "Hoàng Đăng Quang", "Đỗ Trọng Hưng", "Nguyễn Văn Thông",
    "Lê Quang Triều", "Trần Nam Hồng", "Nguyễn Tấn Tuân", "Tán Văn Bảo", "Hải Lăng", "Nhân Tâm",
    "Vụ địa phương", "T.Ư9", "growth pole",
]


def test_the_shipped_profile_loads_once_and_is_frozen():
    p = profile()
    assert isinstance(p, LanguageProfile) and profile() is p and profile(DEFAULT_PATH) is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.vi_stopwords = frozenset()


def test_every_section_is_filled():
    p = profile()
    for field in dataclasses.fields(p):
        value = getattr(p, field.name)
        assert (value.pattern if isinstance(value, re.Pattern) else value), field.name


def test_words_are_normalized_as_the_code_compares_them():
    p = profile()
    assert "uỷ" in p.generic_caps and "ủy" not in p.generic_caps  # one tone placement (match key)
    assert "lien ket website" in p.chrome_lines and "tat ca" in p.count_words  # folded
    assert {"tổ", "chức"} <= p.generic_caps  # a phrase stands for its syllables
    assert [kind for kind, _, _ in p.question_kinds][:2] == ["source", "author"]  # order kept


def test_a_custom_profile_changes_behaviour(tmp_path, monkeypatch):
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert 'vi_stopwords = [\n' in text
    custom = tmp_path / "custom.toml"
    custom.write_text(text.replace('vi_stopwords = [\n', 'vi_stopwords = [\n  "chuối",\n'), encoding="utf-8")
    assert "chuối" in profile(custom).vi_stopwords and "chuối" not in profile().vi_stopwords

    assert "chuoi" in tokens.lexical_tokens("giá chuối")
    monkeypatch.setattr(profile_module, "DEFAULT_PATH", custom)
    profile_module.profile.cache_clear()
    try:
        assert "chuoi" not in importlib.reload(tokens).lexical_tokens("giá chuối")
    finally:
        monkeypatch.undo()
        profile_module.profile.cache_clear()
        importlib.reload(tokens)
    assert "chuoi" in tokens.lexical_tokens("giá chuối")


def test_the_profile_names_no_place_person_or_outlet_of_the_seeds():
    text = fold(DEFAULT_PATH.read_text(encoding="utf-8"))
    found = [n for n in SEED_NAMES if re.search(rf"(?<!\w){re.escape(fold(n))}(?!\w)", text)]
    assert found == []
    p = profile()
    assert "Tán" not in p.surnames
    assert not {"9th", "pole", "ho chi minh", "northeast", "highlands"} & set(p.glossary)
    # Conference vocabulary is not "generic": only the seeds all share it.
    assert not {"thi", "đua", "huân", "chương"} & p.generic_caps
    assert not {"thi", "dua", "huan", "chuong"} & p.generic_plain


def test_no_library_file_names_what_the_seeds_name():
    """rag/ is for anyone's reports: no source file, comment or word list quotes a seed's names."""
    root = Path(__file__).resolve().parents[1] / "rag"
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".py", ".toml"):
            continue
        text = fold(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(root)}: {n}" for n in SEED_NAMES
                  if re.search(rf"(?<!\w){re.escape(fold(n))}(?!\w)", text)]
    assert found == []
