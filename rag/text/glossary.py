"""English -> Vietnamese terms of this domain (Party organizational work), so an English
question shares words with Vietnamese reports. Dense search alone scores English
questions lowest of all (shared/README), and lexical matching needs a shared word.
"""
from __future__ import annotations

import re

GLOSSARY = {
    "chair": "chủ trì", "chaired": "chủ trì", "chairs": "chủ trì", "presided": "chủ trì", "co-chaired": "đồng chủ trì",
    "conference": "hội nghị", "meeting": "hội nghị", "conferences": "hội nghị", "meetings": "hội nghị",
    "province": "tỉnh", "provinces": "tỉnh", "provincial": "tỉnh", "city": "thành phố", "cities": "thành phố",
    "secretary": "bí thư", "deputy": "phó", "vice": "phó", "head": "trưởng ban", "chief": "trưởng",
    "chairman": "chủ tịch", "president": "chủ tịch nước", "member": "ủy viên", "members": "ủy viên",
    "organization": "tổ chức", "organisational": "tổ chức", "organizational": "tổ chức", "commission": "ban",
    "department": "ban", "board": "ban", "central": "trung ương", "committee": "ủy", "party": "đảng",
    "cluster": "cụm thi đua", "emulation": "thi đua", "competition": "thi đua", "bloc": "cụm",
    "resolution": "nghị quyết", "resolutions": "nghị quyết", "directive": "chỉ thị", "regulation": "quy định",
    "medal": "huân chương", "order": "huân chương", "award": "trao", "awarded": "trao", "labour": "lao động",
    "labor": "lao động", "second": "nhì", "first": "nhất", "third": "ba", "class": "hạng",
    "attended": "dự", "attend": "dự", "attendees": "dự", "delegates": "đại biểu", "participants": "đại biểu",
    "tasks": "nhiệm vụ", "task": "nhiệm vụ", "key": "trọng tâm", "priorities": "nhiệm vụ trọng tâm",
    "review": "sơ kết", "reviewed": "sơ kết", "summary": "tổng kết", "year-end": "tổng kết", "months": "tháng",
    "month": "tháng", "year": "năm", "first half": "6 tháng đầu năm", "half": "6 tháng",
    "speech": "phát biểu", "spoke": "phát biểu", "speak": "phát biểu", "welcome": "chào mừng", "welcomed": "chào mừng",
    "concluding": "kết luận", "concluded": "kết luận", "central region": "miền trung", "region": "khu vực",
    "northeast": "đông bắc", "northeastern": "đông bắc", "highlands": "tây nguyên", "staff": "cán bộ",
    "cadres": "cán bộ", "cadre": "cán bộ", "members'": "đảng viên", "planning": "quy hoạch", "training": "đào tạo",
    "drafts": "dự thảo", "draft": "dự thảo", "adopted": "thông qua", "approved": "thông qua",
    "title": "danh hiệu", "titles": "danh hiệu", "honoured": "suy tôn", "honored": "suy tôn", "signed": "ký kết",
    "pledge": "giao ước", "enterprise": "doanh nghiệp", "enterprises": "doanh nghiệp", "business": "doanh nghiệp",
    "established": "thành lập", "founded": "thành lập", "newspaper": "báo", "source": "nguồn", "wrote": "viết",
    "role": "chức vụ", "position": "chức vụ", "growth": "tăng trưởng", "pole": "cực", "internal": "nội bộ",
    "security": "bảo vệ chính trị", "streamlining": "tinh giản", "apparatus": "bộ máy", "rectification": "chỉnh đốn",
    "congress": "đại hội", "term": "khóa nhiệm kỳ", "terms": "khóa nhiệm kỳ", "briefing": "giao ban",
    "11th": "khóa xi", "12th": "khóa xii", "13th": "khóa xiii", "10th": "khóa x", "9th": "t.ư9",
    "politburo": "bộ chính trị", "agency": "cơ quan", "received": "trao cho", "receive": "trao cho", "grassroots": "cơ sở", "cell": "chi bộ", "cells": "chi bộ",
    "proposed": "đề xuất", "solutions": "giải pháp", "recommended": "kiến nghị", "example": "nêu gương",
    "ho chi minh": "hồ chí minh", "held": "tổ chức", "where": "tại",
}
_PHRASES = sorted(GLOSSARY, key=len, reverse=True)
_PATTERN = re.compile(r"\b(" + "|".join(re.escape(p) for p in _PHRASES) + r")\b", re.IGNORECASE)


def untranslated(question: str) -> str:
    """The question without the English words the glossary translates."""
    return _PATTERN.sub(" ", question)


def translate_terms(question: str) -> str:
    """The Vietnamese terms for the English words of a question, space-separated."""
    return " ".join(dict.fromkeys(GLOSSARY[m.group(1).lower()] for m in _PATTERN.finditer(question)))
