"""The key store and the sealing: personal fields under the case's own keys inside the events
key's encryption, one key per case part shared by every process, destroyed for good."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import psycopg

from bco.application import BCOApplication
from bco.case_keys import CaseKeys
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.side_store import open_side_store
from bco.storage import read_key


def test_personal_fields_are_sealed_again_inside_the_events_key(app: BCOApplication) -> None:
    case_id = app.register_case(
        person=IndexPerson(name="Quirinus Verzegeld", phone="0611119999",
                           birth_date=date(1977, 7, 7), email="q@sealed.example"),
        disease="covid-19", onset=date(2026, 11, 23), actor="anna").aggregate_id
    (stored,) = app.recorder.select_events(case_id)
    opened = app.mapper.cipher.decrypt(stored.state)  # what the events key alone reveals
    assert b"covid-19" in opened and b'"sealed"' in opened
    for secret in (b"Quirinus", b"611119999", b"1977-07-07", b"q@sealed.example"):
        assert secret not in opened
    assert app.get_case(case_id).person.name == "Quirinus Verzegeld"


def test_every_process_uses_one_key_per_case_part(settings: Settings, clock: Any) -> None:
    key = read_key(settings)
    assert key is not None
    stores = [open_side_store(settings), open_side_store(settings)]  # two processes' own
    first, second = (CaseKeys(store, key) for store in stores)
    try:
        owner_id = UUID("0b7f7c3e-1111-4a1a-9a1a-000000000001")
        owner = str(owner_id)
        generation, sealer = first.current(owner, "index")
        again, opener = second.current(owner, "index")
        assert generation == again == 1
        nonce = os.urandom(12)
        assert opener.decrypt(nonce, sealer.encrypt(nonce, b"x", None), None) == b"x"
        assert first.destroy(owner_id, ["index"], now=datetime.now(tz=UTC)) == 1
        assert second.cipher_for(owner, "index", 1) is not None  # cached until it hears
        second.forget(owner_id)
        assert second.cipher_for(owner, "index", 1) is None
        assert second.current(owner, "index")[0] == 2  # a new key after the destroyed one
        rows = list(first.rows())
        assert [(r.generation, r.wrapped is None) for r in rows] == [(1, True), (2, False)]
    finally:
        for store in stores:
            store.close()


def test_the_key_store_opens_postgres_again_after_losing_its_connection(
        postgres_settings: Settings) -> None:
    key = read_key(postgres_settings)
    assert key is not None
    store = open_side_store(postgres_settings)
    keys = CaseKeys(store, key)
    try:
        owner = "0b7f7c3e-1111-4a1a-9a1a-000000000002"
        generation, _ = keys.current(owner, "contacts")
        lost = keys._db.conn.info.backend_pid  # type: ignore[attr-defined]
        with psycopg.connect(postgres_settings.database_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [lost])
        keys.forget(UUID(owner))
        assert keys.current(owner, "contacts")[0] == generation
        assert keys._db.conn.info.backend_pid != lost  # type: ignore[attr-defined]
    finally:
        store.close()
