"""Several web nodes on one PostgreSQL store: each case is claimed once across nodes, and a
node that starts late or is rebuilt catches up while the others keep writing and following."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from uuid import UUID

import pytest
from projection_scenarios import views_contents

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.projections import rebuilder_for, runner_for

CASES = 40
TRACERS_PER_NODE = 6


@pytest.fixture
def nodes(postgres_settings: Settings, tmp_path: Path) -> Iterator[list[BCOApplication]]:
    """Two application instances on one schema, each with its own data directory."""
    apps = []
    for name in ("node-a", "node-b"):
        settings = replace(postgres_settings, data_dir=tmp_path / name)
        settings.data_dir.mkdir(parents=True)
        apps.append(BCOApplication(settings))
    yield apps
    for app in apps:
        app.close()


def register(app: BCOApplication, number: int) -> UUID:
    return app.register_case(
        person=IndexPerson(name=f"Index {number}", phone="06 12345678"),
        disease=app.catalog.known_diseases[0], test_date=app.clock().date(),
        actor="intake").aggregate_id


def test_next_case_hands_each_case_to_one_tracer_across_nodes(
        nodes: list[BCOApplication]) -> None:
    cases = [register(nodes[0], n) for n in range(CASES)]
    for app in nodes:  # both nodes have every case cached, as busy nodes would
        for case_id in cases:
            app.get_case(case_id)
    claims: list[tuple[str, UUID]] = []
    guard = threading.Lock()
    start = threading.Barrier(len(nodes) * TRACERS_PER_NODE)

    def tracer(app: BCOApplication, name: str) -> None:
        start.wait()
        while True:
            # The same stale candidate list for everyone: the worst case of a lagging worklist.
            recorded = app.claim_next_case(name, actor=name, candidates=cases)
            if recorded is None:
                return
            with guard:
                claims.append((name, recorded.aggregate_id))

    threads = [threading.Thread(target=tracer, args=(app, f"tracer-{i}-{n}"))
               for i, app in enumerate(nodes) for n in range(TRACERS_PER_NODE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    claimed = Counter(case_id for _, case_id in claims)
    assert sorted(claimed) == sorted(cases)
    assert set(claimed.values()) == {1}
    for name, case_id in claims:
        assert nodes[0].get_case(case_id).tracer == name
        assert nodes[1].get_case(case_id).tracer == name
    assert {name.split("-")[1] for name, _ in claims} == {"0", "1"}, "both nodes took cases"


def test_a_node_started_late_or_rebuilt_catches_up_while_the_other_keeps_going(
        nodes: list[BCOApplication]) -> None:
    first, late = nodes
    for number in range(30):
        register(first, number)
    following = runner_for(first)
    following.start()
    written: list[int] = []
    stop = threading.Event()
    # Writes are handed out in allowances, so the log grows while the late node works but
    # never faster than a rebuild on a slow machine can read it to the end.
    allowance = threading.Semaphore(10)

    def keep_writing() -> None:
        number = 1000
        while not stop.is_set():
            if allowance.acquire(timeout=0.05):
                register(first, number)
                written.append(number)
                number += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        late_runner = runner_for(late)  # empty views.db: starts from the first event
        late_runner.catch_up()
        assert late_runner.status()[0].position >= 30

        during_rebuild = threading.Event()

        def progress(_read: int) -> None:
            """While the late node rebuilds, the first writes three more cases and follows."""
            if during_rebuild.is_set():
                return
            during_rebuild.set()
            target = len(written) + 3
            for _ in range(10):
                allowance.release()
            for _ in range(3000):  # at most thirty seconds
                if len(written) >= target:
                    return
                time.sleep(0.01)

        seen_at_start = len(written)
        rebuilder_for(late).rebuild(progress=progress)
        assert len(written) >= seen_at_start + 3, "the first node wrote during the rebuild"
    finally:
        stop.set()
        writer.join()
    end = first.store_position()
    assert following.wait_for(end, timeout=30)
    following.stop()
    late_runner = runner_for(late)
    late_runner.catch_up()
    assert {s.position for s in late_runner.status()} == {end}
    assert views_contents(late.settings.views_path, late.settings) == views_contents(
        first.settings.views_path, first.settings)
