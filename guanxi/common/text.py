"""Text normalisation used for duplicate detection and search (names, phones, pinyin)."""

import re
import unicodedata

import phonenumbers
from pypinyin import Style, lazy_pinyin

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_MOBILE = re.compile(r"1(?!79)[3-9]\d{9}")  # 179… reads as an IDD prefix
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
    """The national number, digits only, so that one phone written several ways compares
    equal: '+86 21 6234 5678', '021-62345678' → '2162345678'; '+86 138-0013-8000' →
    '13800138000'. Text that is no phone number keeps just its digits."""
    text = unicodedata.normalize("NFKC", phone or "")
    if _MOBILE.fullmatch(text):  # the common case, without the parser's cost (same answer)
        return text
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", text)
    if number.country_code != 86:
        return f"{number.country_code}{number.national_number}"
    return str(number.national_number)


def pinyin_full(text: str) -> str:
    return "".join(lazy_pinyin(text or "", errors="ignore")).lower()


def pinyin_initials(text: str) -> str:
    return "".join(lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="ignore")).lower()
