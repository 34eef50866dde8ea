"""What typed text may hold: printable characters of a bounded length, the same limits for
the web, the API and the command line.

Control characters (escape sequences, NUL, BEL, DEL) and bidirectional overrides in a name
or reason would be stored for ever and replayed into terminals, PDFs and exports, where they
can rewrite what is shown; they are refused before they become an event.
"""

from __future__ import annotations

import re
import unicodedata

from bco.domain.errors import InvalidValueError
from bco.domain.errors import translatable as _t

MAX_LINE = 200
MAX_TEXT = 4000
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\n\r\t")
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def checked_text(value: str, field: str, *, limit: int = MAX_LINE,
                 multiline: bool = False) -> str:
    """The text stripped, or a refusal naming the field: too long, or an unprintable
    character (tabs and line breaks only where the field has several lines)."""
    clean = value.strip()
    if len(clean) > limit:
        raise InvalidValueError(_t("This is too long: keep it under %(limit)d characters."),
                                field=field, limit=limit)
    for char in clean:
        if (char in BIDI_CONTROLS or unicodedata.category(char) == "Cc") and not (
                multiline and char in LINE_BREAKS):
            raise InvalidValueError(
                _t("This contains an invisible control character (%(code)s); type it again "
                   "without it."), field=field, code=f"U+{ord(char):04X}")
    return clean


def checked_email(value: str, field: str = "email") -> str:
    """One address: something, one @, and a domain with a dot."""
    clean = checked_text(value, field)
    if not EMAIL.match(clean):
        raise InvalidValueError(_t("'%(email)s' is not an e-mail address."), field=field,
                                email=clean)
    return clean
