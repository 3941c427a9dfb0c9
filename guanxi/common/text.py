"""Text normalisation used for duplicate detection and search (names, phones, pinyin)."""

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
# Legal-form suffixes that do not distinguish one company from another.
_LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "公司",
    "co.,ltd",
    "coltd",
    "limited",
    "ltd",
    "inc",
)


def normalize_name(name: str) -> str:
    """'上海 华东汽配（有限公司）' and '上海华东汽配有限公司' normalise alike."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _PUNCT.sub("", text)
    for suffix in _LEGAL_SUFFIXES:
        stripped = suffix.replace(".", "").replace(",", "")
        if text.endswith(stripped) and len(text) > len(stripped):
            text = text[: -len(stripped)]
            break
    return text


def normalize_phone(phone: str) -> str:
    """Digits only, without a leading China country code: '+86 138-0013-8000' → '13800138000'."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def pinyin_full(text: str) -> str:
    return "".join(lazy_pinyin(text or "", errors="ignore")).lower()


def pinyin_initials(text: str) -> str:
    return "".join(lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="ignore")).lower()
