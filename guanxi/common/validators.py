"""Field validators shared by forms and API serializers."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError


def clean_credit_code(value: str) -> str:
    """Unified social credit code (统一社会信用代码), 18 characters with a check digit."""
    if not value:
        return ""
    try:
        return uscc.validate(value)
    except StdnumError:
        raise ValidationError(
            _("Not a valid unified social credit code (18 characters with a check digit)."),
            code="invalid_credit_code",
        ) from None


def clean_phone(value: str) -> str:
    """A Chinese mobile or landline number, or an international one starting with +."""
    if not value:
        return ""
    value = value.strip()
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Not a valid phone number, e.g. 13800138000 or 021-62345678."),
            code="invalid_phone",
        )
    return value
