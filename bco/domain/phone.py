"""Phone numbers in one canonical form (E.164), so search and dialling agree."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import phonenumbers

from bco.domain.errors import InvalidPhoneError, InvalidValueError, Translatable
from bco.domain.errors import translatable as _t


def normalise_phone(raw: str, region: str, *, field: str = "phone") -> str:
    """Return `raw` as E.164, or refuse it with the reason a person can act on."""
    text = raw.strip()
    if not text:
        raise InvalidPhoneError(_t("A phone number is required."), field=field)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneError(
            _t("'%(number)s' is not a phone number (%(reason)s); "
               "give it as 06 12345678 or +31 6 12345678."),
            field=field, number=text, reason=_reason(exc),
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneError(
            _t("'%(number)s' is not a valid number: check the number of digits with the "
               "person, and include the country code if abroad."),
            field=field, number=text,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _reason(exc: phonenumbers.NumberParseException) -> Translatable:
    reasons = {
        phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: _t("unknown country code"),
        phonenumbers.NumberParseException.NOT_A_NUMBER: _t("it has letters or too few digits"),
        phonenumbers.NumberParseException.TOO_SHORT_NSN: _t("too short"),
        phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: _t("too short"),
        phonenumbers.NumberParseException.TOO_LONG: _t("too long"),
    }
    return reasons.get(exc.error_type, _t("unreadable"))


def checked_region(raw: str | None, *, field: str = "region") -> str:
    """A country code (ISO 3166, 'NL', 'be') in upper case, or '' when none was given."""
    text = (raw or "").strip().upper()
    if text and text not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidValueError(
            _t("'%(region)s' is not a country code; give two letters such as NL or BE."),
            field=field, region=text[:20])
    return text


def phone_hasher(secret: str) -> Callable[[str | None], str | None]:
    """Keyed hashes of phone numbers: without the key a hash cannot be tried against every
    number; the key is derived from `secret` (the events key), so a rebuild makes the same.

    A phone number erased after retention reads as a marker that carries the hash it had
    (bco.domain.personal.ErasedPhone), so "already someone's contact" stays countable."""
    key = hashlib.sha256(f"bco timeline contact phones:{secret}".encode()).digest()

    def phone_key(phone: str | None) -> str | None:
        if not phone:
            return None
        kept: str | None = getattr(phone, "phone_key", None)
        if kept is not None:
            return kept
        return hmac.digest(key, phone.encode(), "sha256").hex()
    return phone_key
