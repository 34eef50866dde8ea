"""Presence across web nodes: with BCO_DATABASE_URL every node reads and writes one table, so
tracers on different nodes see each other on a case; without PostgreSQL nothing fails."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from flask import Flask
from web_support import Cases, sign_in

from bco.config import Settings
from bco.presence_table import SharedPresence


@pytest.fixture
def web_settings(postgres_settings: Settings) -> Settings:
    """This module's web app runs on PostgreSQL, where presence is shared."""
    postgres_settings.data_dir.mkdir(parents=True, exist_ok=True)
    return postgres_settings.with_overrides(
        run_projections_in_web=False,
        secret_key_file=postgres_settings.data_dir / "session.key")


def test_two_nodes_see_who_is_on_a_page_and_forget_who_left(postgres_settings: Settings
                                                            ) -> None:
    node_a = SharedPresence(postgres_settings, expiry=0.3)
    node_b = SharedPresence(replace(postgres_settings, data_dir=postgres_settings.data_dir / "b"),
                            expiry=0.3)
    try:
        assert node_a.here("case:1", "anna") == []
        assert [s.name for s in node_b.here("case:1", "bert")] == ["anna"]
        assert [s.name for s in node_a.here("case:1", "anna")] == ["bert"]
        assert node_b.here("case:2", "bert") == []
        time.sleep(0.6)  # longer than the expiry: anna stopped polling
        assert node_b.here("case:1", "bert") == []
    finally:
        node_a.close()
        node_b.close()


def test_an_unreachable_database_shows_nobody_rather_than_failing(
        postgres_settings: Settings) -> None:
    gone = SharedPresence(replace(postgres_settings,
                                  database_url="postgresql://postgres@127.0.0.1:1/test"), 30)
    assert gone.here("case:1", "anna") == []


def test_the_web_pages_use_the_shared_table_on_postgresql(web: Flask, cases: Cases) -> None:
    assert isinstance(web.extensions["bco_presence"], SharedPresence)
    case_id = cases.register()
    cases.assign(case_id, "tracer2")
    cases.project()
    tracer2, lead = sign_in(web, "tracer2"), sign_in(web, "lead")
    tracer2.get(f"/cases/{case_id}")
    poll = lead.get(f"/presence/case/{case_id}", headers={"HX-Request": "true"})
    assert poll.status_code == 200
    fragment = poll.get_data(as_text=True)  # in the lead's language (Dutch)
    assert 'class="presence"' in fragment and "tracer2" in fragment
