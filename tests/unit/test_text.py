"""Control and bidi-override characters never reach an event; the CLI escapes what it prints."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import uuid4

import click
import pytest
from click.testing import CliRunner

from bco.cli.context import echo_json, terminal_safe
from bco.domain.case import Case, IndexPerson
from bco.domain.errors import InvalidValueError
from bco.domain.interview import Interview

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
PERSON = IndexPerson(name="Sanne de Vries", phone="06 12345678", birth_date=date(1990, 5, 1))
HOSTILE = ["esc\x1b[2J", "nul\x00", "bel\x07", "del\x7f", "evil\u202etxt.exe", "cr\rname",
           "tab\there", "iso\u2066late"]


def register(person: IndexPerson = PERSON, **overrides: object) -> Case:
    values: dict = dict(case_id=uuid4(), person=person, disease="covid-19",
                        onset=date(2026, 11, 22), test_date=None, source="lab",
                        received_at=NOW, region="NL", now=NOW, actor="anna")
    values.update(overrides)
    return Case.register(**values)


def interview() -> Interview:
    return Interview.start(interview_id=uuid4(), case_id=uuid4(), guide_id="covid-19",
                           guide_version="1", guide_hash="h", now=NOW, actor="anna")


@pytest.mark.parametrize("name", HOSTILE)
def test_names_with_control_characters_are_refused(name: str) -> None:
    with pytest.raises(InvalidValueError) as refused:
        register(replace(PERSON, name=name))
    assert refused.value.field == "name" and "control character" in refused.value.message
    with pytest.raises(InvalidValueError) as contact:
        interview().report_contact(uuid4(), {"name": name}, region="NL", now=NOW, actor="anna")
    assert contact.value.field == "name"


@pytest.mark.parametrize(("field", "value"), [
    ("email", "a\x1b@example.org"), ("postcode", "1234\u202eAB")])
def test_other_single_line_fields_are_refused_too(field: str, value: str) -> None:
    with pytest.raises(InvalidValueError) as refused:
        register(replace(PERSON, **{field: value}))
    assert refused.value.field == field
    with pytest.raises(InvalidValueError):
        register(source="lab\x1b]0;owned\x07")
    case = register()
    with pytest.raises(InvalidValueError):
        case.mark_unreachable("gone\x1b[2J", now=NOW, actor="anna")
    assert case.unreachable is False


def test_several_line_texts_keep_line_breaks_but_not_escapes() -> None:
    talk = interview()
    talk.add_note("first line\nsecond line\twith a tab", now=NOW, actor="anna")
    assert talk.notes[-1].text == "first line\nsecond line\twith a tab"
    with pytest.raises(InvalidValueError):
        talk.add_note("ring\x07", now=NOW, actor="anna")
    with pytest.raises(InvalidValueError):
        talk.pause("see \u202enotes", now=NOW, actor="anna")


def test_accents_and_other_scripts_are_fine() -> None:
    case = register(replace(PERSON, name="  Zoë Çelik-Ørsted 王  "))
    assert case.person.name == "Zoë Çelik-Ørsted 王"


def test_the_cli_escapes_what_it_prints() -> None:
    assert terminal_safe("esc\x1b[2J and \u202e") == "esc\\u001b[2J and \\u202e"
    assert terminal_safe("Zoë") == "Zoë"

    @click.command()
    def show() -> None:
        echo_json({"name": "del\x7f \u202eevil", "city": "Zoë"})

    output = CliRunner().invoke(show).output
    assert "\x7f" not in output and "\u202e" not in output and "Zoë" in output
    assert json.loads(output) == {"name": "del\x7f \u202eevil", "city": "Zoë"}
