"""Refusals keep their template apart from their values, and each has a Dutch translation.

The templates are found the way `pybabel extract -F babel.cfg` finds them: by the `_t`
marker in the source, so a refusal added without a Dutch text fails here, not in front of a
tracer.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from bco.application import NOT_FOUND
from bco.domain.errors import (
    ConflictError,
    DomainError,
    FutureDateError,
    InvalidValueError,
    Translatable,
)
from bco.domain.errors import translatable as _t
from bco.domain.personal import REMOVED
from bco.domain.phone import normalise_phone
from bco.domain.stamped import StampedAggregate, refuse_future
from bco.guides.phrasing import removed_words

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "bco" / "web" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def dutch() -> Catalog:
    with CATALOG.open("rb") as po:
        return read_po(po)


def marked_templates() -> dict[str, str]:
    """Every `_t(...)` text under bco/, with where it is, found as pybabel finds it."""
    found = extract_from_dir(
        str(ROOT / "bco"), method_map=[("**.py", "python")],
        keywords={"_t": None, "translatable": None}, options_map={})
    return {str(message): filename for filename, _line, message, _comments, _ctx in found}


def test_the_marker_finds_the_domain_and_application_refusals() -> None:
    places = set(marked_templates().values())
    assert {"domain/case.py", "domain/interview.py", "domain/phone.py", "domain/account.py",
            "domain/stamped.py", "application.py", "passwords.py", "guides/answers.py",
            "web/interview_forms.py"} <= places


def test_every_refusal_has_a_dutch_translation_with_the_same_placeholders(
        dutch: Catalog) -> None:
    missing, mismatched = [], []
    for template, place in marked_templates().items():
        message = dutch.get(template)
        if message is None or not message.string:
            missing.append(f"{place}: {template}")
        elif sorted(PLACEHOLDER.findall(template)) != sorted(PLACEHOLDER.findall(
                str(message.string))):
            mismatched.append(f"{place}: {template}")
    assert missing == [] and mismatched == []


def test_the_catalog_holds_only_texts_the_code_uses(dutch: Catalog, tmp_path: Path) -> None:
    """Extract with babel.cfg exactly as a developer would; entries nobody uses are stale."""
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                                "-o", str(pot), str(ROOT)])
    with pot.open("rb") as extracted:
        used = {message.id for message in read_po(extracted) if message.id}
    listed = {message.id for message in dutch if message.id}
    assert sorted(map(str, listed - used)) == []
    assert sorted(map(str, used - listed)) == []


def test_the_error_keeps_template_and_values_and_says_it_in_english() -> None:
    with pytest.raises(InvalidValueError) as refused:
        normalise_phone("abc", "NL")
    error = refused.value
    assert error.template == ("'%(number)s' is not a phone number (%(reason)s); "
                              "give it as 06 12345678 or +31 6 12345678.")
    assert error.params == {"number": "abc", "reason": "it has letters or too few digits"}
    assert isinstance(error.params["reason"], Translatable)  # a fixed phrase, translated too
    assert not isinstance(error.params["number"], Translatable)  # typed: never translated
    assert error.message == str(error) == (
        "'abc' is not a phone number (it has letters or too few digits); "
        "give it as 06 12345678 or +31 6 12345678.")
    assert error.field == "phone"


def test_a_template_without_values_is_the_message_as_it_is() -> None:
    error = DomainError(_t("The note is empty."), field="text")
    assert error.message == error.template == "The note is empty." and error.params == {}
    assert DomainError("100% sure, not marked").message == "100% sure, not marked"


def test_a_time_of_day_is_shown_in_utc_in_english() -> None:
    error = ConflictError(_t("%(actor)s changed this at %(time)s while you were editing. "
                             "Their change is shown; yours is kept below so you can "
                             "re-apply it."),
                          actor="lead", time=datetime(2026, 11, 25, 8, 15, 2, tzinfo=UTC))
    assert error.message.startswith("lead changed this at 08:15:02 while you were editing.")


def test_future_dates_name_the_field_with_a_translatable_label() -> None:
    with pytest.raises(FutureDateError) as refused:
        refuse_future(date(2030, 1, 2), date(2026, 11, 25), "birth_date", _t("Birth date"))
    assert refused.value.message == ("Birth date 2030-01-02 lies in the future (today is "
                                     "2026-11-25); check the date with the person.")
    assert isinstance(refused.value.params["label"], Translatable)


def test_every_kind_of_record_has_its_own_not_found_sentence() -> None:
    ours = {cls for cls in StampedAggregate.__subclasses__() if cls.__module__.startswith("bco.")}
    assert set(NOT_FOUND) == ours


def test_the_guides_word_the_retention_marker_as_the_catalogue_does(dutch: Catalog) -> None:
    """Missing items name an erased contact in the guide engine's own words; they must be the
    screens' words, or one page would say it two ways."""
    message = dutch.get(str(REMOVED))
    assert message is not None and message.string
    assert removed_words("nl") == message.string
    assert removed_words("en") == str(REMOVED)
