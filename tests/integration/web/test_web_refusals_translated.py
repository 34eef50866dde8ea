"""Refusals from the domain reach each tracer in the language of their account."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from interview_support import HX, JSON, start_interview
from web_support import Cases

from bco.application import BCOApplication
from bco.domain.errors import ConflictError, DomainError, FutureDateError, InvalidValueError
from bco.domain.errors import translatable as _t
from bco.domain.stamped import refuse_future
from bco.web import errors

Clients = Callable[[str], FlaskClient]

# "tracer" works in Dutch, "tracer2" in English (bco.demo.DEMO_ACCOUNTS).
NOT_A_NUMBER_NL = ("'geen nummer' is geen telefoonnummer (er staan letters in of te weinig "
                   "cijfers); geef het op als 06 12345678 of +31 6 12345678.")
NOT_A_NUMBER_EN = ("'geen nummer' is not a phone number (it has letters or too few digits); "
                   "give it as 06 12345678 or +31 6 12345678.")
CLOSED_NL = "De casus is afgesloten; heropen hem eerst, met een reden."
CLOSED_EN = "The case is closed; reopen it first, with a reason."


def report_line(client: FlaskClient, interview_id: UUID, phone: str,
                headers: dict[str, str]) -> Any:
    return client.post(f"/interviews/{interview_id}/contacts", headers=headers,
                       data={"name": "Mila", "phone": phone, "relation": "kind"})


@pytest.mark.parametrize(("tracer", "expected", "absent"), [
    ("tracer", NOT_A_NUMBER_NL, "is not a phone number"),
    ("tracer2", NOT_A_NUMBER_EN, "is geen telefoonnummer"),
])
def test_a_bad_phone_number_is_refused_in_the_account_language(
        bco_app: BCOApplication, clock: Any, client_for: Clients, tracer: str, expected: str,
        absent: str) -> None:
    interview_id = start_interview(bco_app, clock, tracer=tracer)
    refused = report_line(client_for(tracer), interview_id, "geen nummer", HX)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert expected.replace("'", "&#39;") in html
    assert absent not in html
    assert 'value="geen nummer"' in html  # what was typed stays, untranslated


def test_an_invalid_number_is_refused_in_dutch(bco_app: BCOApplication, clock: Any,
                                                client_for: Clients) -> None:
    interview_id = start_interview(bco_app, clock)
    refused = report_line(client_for("tracer"), interview_id, "06 123", HX)
    assert refused.status_code == 422
    assert "is geen geldig nummer: controleer het aantal cijfers" in refused.get_data(
        as_text=True)


def test_api_clients_get_the_translation_in_message_and_field_errors(
        bco_app: BCOApplication, clock: Any, client_for: Clients) -> None:
    interview_id = start_interview(bco_app, clock)
    body = report_line(client_for("tracer"), interview_id, "geen nummer", JSON).get_json()
    assert body["code"] == "invalid_phone"  # the code scripts match on stays as it is
    assert body["message"] == NOT_A_NUMBER_NL
    assert body["errors"] == {"phone": [NOT_A_NUMBER_NL]}


@pytest.mark.parametrize(("tracer", "expected", "absent"), [
    ("tracer", CLOSED_NL, CLOSED_EN),
    ("tracer2", CLOSED_EN, CLOSED_NL),
])
def test_acting_on_a_closed_case_is_refused_in_the_account_language(
        bco_app: BCOApplication, cases: Cases, client_for: Clients, tracer: str,
        expected: str, absent: str) -> None:
    case_id = cases.register(name="Joost Meulenbelt", phone="06 47658312")
    cases.assign(case_id, tracer)
    bco_app.close_case(case_id, "Duplicate notification", actor="lead")
    cases.project()
    refused = client_for(tracer).post(f"/cases/{case_id}/calls",
                                      data={"outcome": "no_answer"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert expected in html and absent not in html


def in_dutch(web: Flask, error: DomainError) -> str:
    with web.test_request_context(), force_locale("nl"):
        return errors.translated(error)


def test_fixed_phrases_among_the_values_are_translated_typed_ones_never(web: Flask) -> None:
    with pytest.raises(FutureDateError) as refused:
        refuse_future(date(2030, 1, 2), date(2026, 11, 25), "birth_date", _t("Birth date"))
    assert in_dutch(web, refused.value) == (
        "Geboortedatum 2030-01-02 ligt in de toekomst (vandaag is het 2026-11-25); "
        "controleer de datum met de persoon.")
    typed = InvalidValueError(_t("Unknown disease '%(disease)s'; known: %(known)s."),
                              disease="Birth date", known="measles")
    assert in_dutch(web, typed) == "Onbekende ziekte 'Birth date'; bekend zijn: measles."


def test_a_time_of_day_is_shown_in_the_readers_zone(web: Flask) -> None:
    conflict = ConflictError(
        _t("%(actor)s changed this at %(time)s while you were editing. Their change is "
           "shown; yours is kept below so you can re-apply it."),
        actor="lead", time=datetime(2026, 11, 25, 8, 15, 2, tzinfo=UTC))
    assert "08:15:02" in conflict.message  # UTC for the CLI
    assert in_dutch(web, conflict).startswith(
        "lead heeft dit om 09:15:02 gewijzigd")  # Europe/Amsterdam on the web


def test_without_a_fitting_translation_the_english_message_is_shown(
        web: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    unmarked = InvalidValueError("Not in the catalog.")
    assert in_dutch(web, unmarked) == "Not in the catalog."
    monkeypatch.setattr(errors, "_", lambda text: "Onbekend: %(niet_bestaand)s")
    broken = InvalidValueError(_t("Unknown guide '%(guide)s'."), guide="x")
    assert in_dutch(web, broken) == "Unknown guide 'x'."
