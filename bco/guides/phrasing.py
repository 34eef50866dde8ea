"""The few words the engine adds itself (dates, yes/no, missing items), in Dutch and English."""

from __future__ import annotations

from datetime import date

from bco.domain.personal import REMOVED
from bco.guides.model import Text

WEEKDAYS: dict[str, tuple[str, ...]] = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS: dict[str, tuple[str, ...]] = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}
YES_NO: dict[str, tuple[str, ...]] = {"nl": ("Ja", "Nee"), "en": ("Yes", "No")}

MISSING = {
    "nl": {
        "dates": "Eerste ziektedag of testdatum ontbreekt: de besmettelijke periode is onbekend.",
        "question": "Vraag nog niet beantwoord: {text}",
        "question_after": "Hangt af van een eerder antwoord: {text}",
        "day": "{day} is nog niet doorgelopen (contacten of uitdrukkelijk 'niemand').",
        "setting": "Omgeving '{setting}' is nog niet nagevraagd.",
        "household_size": "Het aantal huisgenoten is nog niet gevraagd.",
        "household": "{stated} huisgenoten genoemd, {recorded} als contact vastgelegd.",
        "consistency": "Doorvragen: {text}",
        "contact_name": "Contact {contact}: naam ontbreekt.",
        "contact_reach": "Contact {contact}: telefoon of e-mail ontbreekt "
                         "(of de reden waarom niet).",
        "contact_day": "Contact {contact}: datum van het laatste contact ontbreekt.",
        "contact_category": "Contact {contact}: categorie nog niet te bepalen; {needs}",
        "contact_informs": "Contact {contact}: nog niet gekozen wie dit contact inlicht "
                           "(de index of de GGD).",
        "final": "De laatste vraag 'nog iemand anders?' is nog niet gesteld.",
    },
    "en": {
        "dates": "Symptom onset or test date is missing: the infectious period is unknown.",
        "question": "Question not answered yet: {text}",
        "question_after": "Depends on an earlier answer: {text}",
        "day": "{day} has not been walked through yet (contacts or an explicit 'nobody').",
        "setting": "Setting '{setting}' has not been asked about yet.",
        "household_size": "The household size has not been asked yet.",
        "household": "{stated} housemates mentioned, {recorded} recorded as contacts.",
        "consistency": "Follow up: {text}",
        "contact_name": "Contact {contact}: name is missing.",
        "contact_reach": "Contact {contact}: phone or e-mail is missing (or the reason why not).",
        "contact_day": "Contact {contact}: date of last contact is missing.",
        "contact_category": "Contact {contact}: category cannot be decided yet; {needs}",
        "contact_informs": "Contact {contact}: nobody chosen yet to inform this contact "
                           "(the index or the health service).",
        "final": "The closing 'anyone else?' question has not been asked yet.",
    },
}

REMOVED_WORDS = {"nl": "verwijderd na afloop van de bewaartermijn", "en": REMOVED}
"""A contact's name erased after retention, as a missing item names it (the same words as the
screens' catalogue)."""

CATEGORY_NEEDS = {
    "nl": "vraag duur, afstand en soort contact na.",
    "en": "ask about duration, distance and kind of contact.",
}
"""What a contact's category needs when the guide does not say (`categories.needs`)."""


def default_needs(languages: tuple[str, ...]) -> Text:
    """The default 'ask about …' for a guide without `categories.needs`, in its languages."""
    return Text(tuple((code, _words_of(CATEGORY_NEEDS, code)) for code in languages))


def _words_of(table: dict[str, str], language: str) -> str:
    """Pick a phrase in `language`, falling back to English for other guide languages."""
    return table.get(language, table["en"])


def _words(table: dict[str, tuple[str, ...]], language: str) -> tuple[str, ...]:
    """Pick a word list in `language`, falling back to English for other guide languages."""
    return table.get(language, table["en"])


def removed_words(language: str) -> str:
    """The retention marker in `language`."""
    return _words_of(REMOVED_WORDS, language)


def format_day(day: date, language: str) -> str:
    """Write a day as a tracer would say it: 'woensdag 18 november'."""
    weekday = _words(WEEKDAYS, language)[day.weekday()]
    month = _words(MONTHS, language)[day.month - 1]
    text = f"{weekday} {day.day} {month}"
    return text[0].upper() + text[1:] if language == "en" else text


def yes_no(language: str) -> tuple[str, str]:
    """Return the labels for yes and no."""
    yes, no = _words(YES_NO, language)
    return yes, no


def missing_text(key: str, language: str, **values: object) -> str:
    """Fill one missing-item phrase; placeholders are replaced literally, never evaluated."""
    text = MISSING.get(language, MISSING["en"])[key]
    return fill(text, **values)


def fill(template: str, **values: object) -> str:
    """Replace {name} placeholders without str.format, so braces in guide text cannot break it."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template
