"""English -> Vietnamese terms of public administration and Party organizational work, so
an English question shares words with Vietnamese reports. Dense search alone scores English
questions lowest of all (shared/README), and lexical matching needs a shared word.
The terms are the language profile's [glossary].
"""
from __future__ import annotations

import re

from rag.text.profile import profile

GLOSSARY = profile().glossary
_PHRASES = sorted(GLOSSARY, key=len, reverse=True)
_PATTERN = re.compile(r"\b(" + "|".join(re.escape(p) for p in _PHRASES) + r")\b", re.IGNORECASE)


def untranslated(question: str) -> str:
    """The question without the English words the glossary translates."""
    return _PATTERN.sub(" ", question)


def translate_terms(question: str) -> str:
    """The Vietnamese terms for the English words of a question, space-separated."""
    return " ".join(dict.fromkeys(GLOSSARY[m.group(1).lower()] for m in _PATTERN.finditer(question)))
