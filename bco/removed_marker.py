"""Data erased after retention reads as its marker in the reader's language, also where a
template puts it into a sentence: `_("Contact %(name)s: %(outcome)s", name=contact.name)`.

A Jinja `finalize` sees only what a template prints whole, so a marker passed to `_()` as a
value would stay in English inside a Dutch sentence. Wrapping the environment's gettext
callables translates such values before they are put in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from bco.domain.personal import REMOVED

CALLABLES = ("gettext", "ngettext", "pgettext", "npgettext")


def translate_in_sentences(env: Environment, marker: Callable[[], str]) -> None:
    """After the environment's gettext callables are installed: values equal to the marker
    become `marker()` (the translated text) before the sentence is formatted."""
    for name in CALLABLES:
        installed = env.globals.get(name)
        if installed is not None:
            env.globals[name] = _translating(installed, marker)


def _translating(installed: Any, marker: Callable[[], str]) -> Any:
    @pass_context
    def translated(context: Context, *args: Any, **variables: Any) -> Any:
        values = {key: marker() if isinstance(value, str) and value == REMOVED else value
                  for key, value in variables.items()}
        return context.call(installed, *args, **values)
    return translated
