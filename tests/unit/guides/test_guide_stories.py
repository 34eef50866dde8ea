"""Scripted index stories: people the index forgets surface only when their cue is put, so the
engine must put every cue, and completeness must not reach 100 before it has."""

from __future__ import annotations

from datetime import date

import pytest
from story_player import Memory, Story, Transcript, play

from bco.guides.model import Guide
from bco.guides.state import ContactFacts

ONSET = date(2026, 11, 20)
TODAY = date(2026, 11, 22)
CLOSE = {"duration_min": 30, "distance_m": 1}


def housemate(name: str, day: date, category: str | None = None) -> ContactFacts:
    """A housemate the index names straight away, before any prompt."""
    return ContactFacts(name=name, day=day, setting="home", household=True,
                        phone="+31612345678", category=category)


def told_and_surfaced(guide: Guide, story: Story) -> Transcript:
    """Play the story and check what every story must show: each memory surfaces at its own
    cue, the score stays below 100 while anyone is still unsurfaced, and ends at 100."""
    transcript = play(guide, story)
    for memory in story.memories:
        assert memory.cue in transcript.asked, f"{memory.cue} was never put to the index"
        assert transcript.surfaced.get(memory.name) == memory.cue, memory.name
    assert all(score < 100 for _, score in transcript.scores_while_missing), \
        transcript.scores_while_missing
    assert transcript.final_score == 100
    return transcript


def test_a_day_shared_with_the_household_is_still_walked(shipped: dict[str, Guide]) -> None:
    """Unprompted the index names partner and child, last seen on the 21st; asked about the
    21st itself, they remember the colleague at lunch."""
    story = Story(
        onset=ONSET, today=TODAY,
        told=(housemate("Sam", date(2026, 11, 21)), housemate("Noor", date(2026, 11, 21))),
        answers={"identity_confirmed": True, "good_moment": True, "has_symptoms": True,
                 "household_size": 2},
        memories=(Memory("day:2026-11-21", "Fatima", setting="work", facts=CLOSE),),
    )
    transcript = told_and_surfaced(shipped["covid-19"], story)
    assert transcript.asked.index("day:2026-11-21") < transcript.asked.index("final")


def test_a_setting_brings_back_the_team_and_its_day_the_party(
        shipped: dict[str, Guide]) -> None:
    """The partner was last seen on the 19th; the birthday that day and the team-mates at
    football come back only at the day and at the sport setting."""
    story = Story(
        onset=ONSET, today=TODAY, language="en",
        told=(housemate("Sam", date(2026, 11, 19)),),
        answers={"identity_confirmed": True, "good_moment": True, "has_symptoms": True,
                 "household_size": 1, "did_sport": True},
        memories=(
            Memory("day:2026-11-19", "Karin", setting="visits", facts=CLOSE),
            Memory("setting:sport", "Jeroen", day=date(2026, 11, 18), facts=CLOSE),
        ),
    )
    transcript = told_and_surfaced(shipped["covid-19"], story)
    assert transcript.asked.index("setting:sport") < transcript.asked.index("final")


def test_the_household_check_is_asked_when_the_counts_already_match(
        shipped: dict[str, Guide]) -> None:
    """Two housemates stated and two named in free recall: only "who else lives or sleeps at
    your home?" brings back the student who stays three nights a week."""
    story = Story(
        onset=ONSET, today=TODAY, language="en",
        told=(housemate("Sam", date(2026, 11, 21), "high-risk-in-bubble"),
              housemate("Noor", date(2026, 11, 21), "high-risk-in-bubble")),
        answers={"identity_confirmed": True, "good_moment": True, "has_symptoms": True,
                 "household_size": 2},
        memories=(
            Memory("household", "Lotte", day=date(2026, 11, 21), category="high-risk-in-bubble"),
            Memory("day:2026-11-21", "Pieter", setting="visits",
                   category="high-risk-outside-bubble"),
        ),
    )
    transcript = told_and_surfaced(shipped["covid-19-vl"], story)
    assert transcript.state.done >= {"household"} or any(
        c.prompt == "household" for c in transcript.state.contacts)


def test_the_final_pass_is_the_last_cue_and_counts(shipped: dict[str, Guide]) -> None:
    """Someone the index would rather not name comes up only at 'anyone else?'."""
    story = Story(
        onset=ONSET, today=TODAY,
        told=(housemate("Sam", date(2026, 11, 20)),),
        answers={"identity_confirmed": True, "good_moment": True, "has_symptoms": True,
                 "household_size": 1},
        memories=(
            Memory("day:2026-11-20", "Bram", setting="carpool", facts=CLOSE),
            Memory("final", "Eva", day=date(2026, 11, 19), facts=CLOSE),
        ),
    )
    transcript = told_and_surfaced(shipped["covid-19"], story)
    assert transcript.asked.count("final") == 2, "after a name comes 'anyone else?' again"


def test_measles_walks_the_day_and_the_waiting_room(shipped: dict[str, Guide]) -> None:
    """A parent names the family; the GP's waiting room and the play date come back at their
    own cues, though the family was seen on those days too."""
    story = Story(
        onset=ONSET, today=TODAY,
        told=(housemate("Moeder", date(2026, 11, 18), "household"),),
        answers={"identity_confirmed": True, "speaking_with": "parent", "household_size": 1,
                 "visited_care": True, "vaccination_status": "never"},
        memories=(
            Memory("day:2026-11-18", "Speelmaatje Mees", setting="visits", category="close"),
            Memory("setting:care", "Baby in de wachtkamer", day=date(2026, 11, 18),
                   category="vulnerable"),
        ),
    )
    told_and_surfaced(shipped["measles"], story)


@pytest.mark.parametrize("size", [1, 2])
def test_tuberculosis_household_check_and_settings(shipped: dict[str, Guide],
                                                   size: int) -> None:
    """Over three months, setting by setting: the nephew who stays every weekend comes up at
    the household check, the colleague at work; no contact needs a single day."""
    told = (housemate("Ayse", date(2026, 11, 21), "ring-1"),
            housemate("Mehmet", date(2026, 11, 21), "ring-1"))[:size]
    story = Story(
        onset=ONSET, today=TODAY,
        told=tuple(ContactFacts(name=c.name, setting="home", household=True, phone=c.phone,
                                category=c.category) for c in told),
        answers={"identity_confirmed": True, "coughing": True, "household_size": size,
                 "works_or_studies": True},
        memories=(
            Memory("household", "Yusuf", category="ring-1"),
            Memory("setting:work", "Collega Dirk", category="ring-2"),
        ),
    )
    told_and_surfaced(shipped["tuberculosis"], story)
