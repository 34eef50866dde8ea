"""How a rebuild shares the cases out between processes, and which events each process takes."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlite_utils import Database

from bco.domain.account import Account
from bco.domain.case import Case
from bco.domain.interview import Interview
from bco.projections.readmodel import ReadModel
from bco.projections.rebuild import (
    DECODE_COST,
    SHARE_SLOTS,
    CaseRouter,
    CaseShare,
    case_shares,
)


def model(name: str, cost: float, by_case: bool) -> ReadModel:
    class Costed(ReadModel):
        tables: ClassVar[tuple[str, ...]] = ()

        def create(self, db: Database) -> None:
            return None

    Costed.name = name
    Costed.rebuild_cost = cost
    Costed.by_case = by_case
    return Costed()


BY_CASE = [model("casefile", 13, True), model("completeness", 12, True),
           model("exports", 13, True), model("worklist", 3, True)]
WHOLE = [model("timeline", 5, False), model("matches", 1, False)]


def width(share: CaseShare) -> float:
    return (share.high - share.low) / SHARE_SLOTS


def test_shares_cover_every_case_once_and_only_the_first_builds_the_rest() -> None:
    for processes in (2, 3, 8):
        shares = case_shares(BY_CASE, WHOLE, processes)
        assert len(shares) == processes
        assert shares[0].low == 0 and shares[-1].high == SHARE_SLOTS
        assert all(a.high == b.low for a, b in itertools.pairwise(shares))
        assert [s.first for s in shares] == [True] + [False] * (processes - 1)


def test_the_first_process_takes_fewer_cases_for_decoding_everything() -> None:
    first, second = case_shares(BY_CASE, WHOLE, 2)
    cost = sum(m.rebuild_cost for m in BY_CASE)
    fixed = sum(m.rebuild_cost for m in WHOLE) + DECODE_COST
    loads = [fixed + width(first) * cost, width(second) * (cost + DECODE_COST)]
    assert width(first) < width(second)
    assert abs(loads[0] - loads[1]) < 0.01 * cost  # equal loads, up to a slot's rounding


def test_without_whole_read_models_the_cases_are_cut_evenly() -> None:
    shares = case_shares(BY_CASE, [], 4)
    assert [width(s) for s in shares] == [0.25] * 4


def test_a_first_process_busy_enough_with_the_rest_takes_no_cases() -> None:
    heavy = [model("everything", 500, False)]
    first, *others = case_shares(BY_CASE, heavy, 3)
    assert width(first) == 0
    assert [width(s) for s in others] == [0.5, 0.5]


@dataclass
class Note:
    """What the router reads of a notification."""

    id: int
    originator_id: UUID
    topic: str


@dataclass
class Decoded:
    case_id: Any = None


def uuid_in(share: CaseShare) -> UUID:
    while True:
        candidate = uuid.uuid4()
        if share.holds(candidate):
            return candidate


def test_interview_events_follow_their_case_into_its_share() -> None:
    first, second = CaseShare(0, 5000, True), CaseShare(5000, SHARE_SLOTS, False)
    ours, theirs = uuid_in(second), uuid_in(first)
    interview_ours, interview_theirs, account = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    log = [
        Note(1, ours, get_topic(Case.Registered)),
        Note(2, theirs, get_topic(Case.Registered)),
        Note(3, interview_ours, get_topic(Interview.Started)),
        Note(4, interview_theirs, get_topic(Interview.Started)),
        Note(5, interview_ours, get_topic(Interview.AnswerRecorded)),
        Note(6, interview_theirs, get_topic(Interview.AnswerRecorded)),
        Note(7, account, get_topic(Account.Registered)),
    ]
    started = {interview_ours: ours, interview_theirs: theirs}
    decoded: list[list[int]] = [[], []]

    def decoder(n: int) -> Any:
        def decode(note: Note) -> Decoded:
            decoded[n].append(note.id)
            return Decoded(started.get(note.originator_id))
        return decode

    everything, mine = CaseRouter(second, decode_all=False).sort(log, decoder(1))
    assert everything == []
    assert [nid for nid, _ in mine] == [1, 3, 5, 7]
    assert decoded[1] == [1, 3, 4, 5, 7]  # the other case's start only, to learn its case

    everything, mine = CaseRouter(first, decode_all=True).sort(log, decoder(0))
    assert [nid for nid, _ in everything] == [1, 2, 3, 4, 5, 6, 7]
    assert [nid for nid, _ in mine] == [2, 4, 6, 7]
    assert decoded[0] == [1, 2, 3, 4, 5, 6, 7]  # each once


def test_an_interview_whose_start_cannot_be_read_goes_to_the_first_share() -> None:
    first, second = CaseShare(0, 5000, True), CaseShare(5000, SHARE_SLOTS, False)
    interview = uuid.uuid4()
    log = [Note(1, interview, get_topic(Interview.Started)),
           Note(2, interview, get_topic(Interview.AnswerRecorded))]

    def unreadable(note: Note) -> Decoded:
        return Decoded(None)  # as runner.decode gives an _Undecodable: no case_id

    assert CaseRouter(second, decode_all=False).sort(log, unreadable)[1] == []
    assert [nid for nid, _ in CaseRouter(first, decode_all=True).sort(log, unreadable)[1]] == [1, 2]
