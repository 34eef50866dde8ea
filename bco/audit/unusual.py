"""What an administrator should look at in the access log: reads outside one's own cases and
team, and bursts of many cases in a short time (the pattern of someone browsing for a name)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from bco.audit.store import ASSIGNED, OUTSIDE, POOL, SINGLE_CASE, AccessEntry


@dataclass(frozen=True)
class Burst:
    """One account reading more distinct cases than allowed within the window."""

    account: str
    role: str
    start: datetime
    end: datetime
    cases: int
    reads: int


def outside_reads(entries: Iterable[AccessEntry],
                  taken: Iterable[tuple[str, UUID]] = ()) -> list[AccessEntry]:
    """Reads of a case that was neither the reader's nor their team's when they read it: a
    case looked at in the pool and then not taken by them, or one outside every rule.

    Reading a pool case and then taking it is how work starts, so a read of the same case as
    its tracer in the same period clears the pool read: one among the entries given, or a
    pair (account, case) in `taken` when the entries are only the pool and outside reads.
    """
    listed = list(entries)
    cleared: set[tuple[str, UUID | None]] = {
        *taken, *((entry.account, entry.case_id) for entry in listed
                  if entry.relation == ASSIGNED)}
    return [entry for entry in listed if entry.case_id is not None and (
        entry.relation == OUTSIDE
        or (entry.relation == POOL and (entry.account, entry.case_id) not in cleared))]


def bursts(entries: Iterable[AccessEntry], *, reads: int, minutes: int) -> list[Burst]:
    """Per account, each stretch in which more than `reads` distinct cases were opened one
    at a time within `minutes` (opening one case again and again during a call is no burst;
    lists and exports are logged with their counts and are left out)."""
    window = timedelta(minutes=minutes)
    by_account: dict[str, list[AccessEntry]] = {}
    for entry in entries:
        if entry.case_id is not None and entry.action in SINGLE_CASE:
            by_account.setdefault(entry.account, []).append(entry)
    found: list[Burst] = []
    for account, reads_of in sorted(by_account.items()):
        found.extend(_bursts_of(account, sorted(reads_of, key=lambda e: e.at), window, reads))
    return sorted(found, key=lambda burst: burst.start, reverse=True)


def _bursts_of(account: str, entries: list[AccessEntry], window: timedelta,
               limit: int) -> list[Burst]:
    """A window slides over the account's reads; overlapping windows over the limit make one
    burst, from the first read of the first such window to the last read of the last."""
    found: list[Burst] = []
    counts: Counter[UUID | None] = Counter()
    start = 0
    first: int | None = None
    last = 0
    for index, entry in enumerate(entries):
        counts[entry.case_id] += 1
        while entry.at - entries[start].at > window:
            counts[entries[start].case_id] -= 1
            if not counts[entries[start].case_id]:
                del counts[entries[start].case_id]
            start += 1
        if len(counts) > limit:
            if first is not None and start > last:
                found.append(_burst(account, entries[first:last + 1]))
                first = None
            first = start if first is None else first
            last = index
    if first is not None:
        found.append(_burst(account, entries[first:last + 1]))
    return found


def _burst(account: str, episode: list[AccessEntry]) -> Burst:
    return Burst(account=account, role=episode[-1].role, start=episode[0].at,
                 end=episode[-1].at, cases=len({entry.case_id for entry in episode}),
                 reads=len(episode))
