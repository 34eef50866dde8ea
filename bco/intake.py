"""Case intake: a notification from a laboratory or notification system, however it came
(API, FHIR Bundle, CSV file), becomes one call of the application, so every door checks the
same rules and a repeat of the same notification creates nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from bco.application import BCOApplication, Issued
from bco.domain.case import IndexPerson

# The names a notification uses, as `bco case register` does (its options without "--").
FIELDS = ("notification_id", "name", "phone", "disease", "onset", "test_date", "birth_date",
          "email", "postcode", "language", "region")
REQUIRED = ("notification_id", "name", "phone", "disease")
DATES = ("onset", "test_date", "birth_date")


@dataclass(frozen=True)
class Notification:
    """One case as a notification system sends it; region is a country, not personal data."""

    notification_id: str
    name: str
    phone: str
    disease: str
    onset: date | None = None
    test_date: date | None = None
    birth_date: date | None = None
    email: str | None = None
    postcode: str | None = None
    language: str = "nl"
    region: str = ""


@dataclass(frozen=True)
class Received:
    """What became of a notification: its case, whether this call created it, and the
    self-report link made with it (BCO_INVITE_ON_REGISTER) for the sender to pass on."""

    case_id: UUID
    created: bool
    invitation: Issued | None = None


def receive(app: BCOApplication, notification: Notification, *, sender: str, actor: str,
            dry_run: bool = False) -> Received:
    """Register the notification's case, or find the one an earlier copy registered."""
    person = IndexPerson(name=notification.name, phone=notification.phone,
                         birth_date=notification.birth_date, email=notification.email or None,
                         postcode=notification.postcode or None,
                         language=notification.language or "nl")
    case_id, created = app.receive_notification(
        notification.notification_id, sender=sender, person=person,
        disease=notification.disease, onset=notification.onset,
        test_date=notification.test_date, region=notification.region, actor=actor,
        dry_run=dry_run)
    invitation = None
    if created and not dry_run and app.settings.invite_on_register:
        # Only the answer that created the case carries the link: the token is kept nowhere,
        # and a retry must not stop a link the index may be using already.
        invitation = app.invite_index(case_id, actor=actor)
    return Received(case_id, created, invitation)
