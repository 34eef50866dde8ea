"""Settings read back from the variables they write, so child processes see the same config."""

from __future__ import annotations

from pathlib import Path

import pytest

from bco.config import Settings, SettingsError


def test_settings_round_trip_through_the_environment() -> None:
    chosen = Settings(data_dir=Path("/tmp/x"), database_url="postgresql://u@h:5432/db",
                      compress_events=True, port=8080, read_wait_seconds=0.5,
                      service_phone="0800-1202")
    assert Settings.from_env(chosen.to_env()) == chosen


@pytest.mark.parametrize(("variable", "value", "fragment"), [
    ("BCO_PORT", "eighty", "must be a number"),
    ("BCO_COMPRESS_EVENTS", "maybe", "true or false"),
    ("BCO_DATABASE_URL", "mysql://x", "postgresql://"),
    ("BCO_TIMEZONE", "Mars/Olympus", "time zone"),
    ("BCO_REBUILD_PROCESSES", "0", "1 .rebuild in one process. or more"),
    ("BCO_CONTACT_RETENTION_DAYS", "365", "at most BCO_RETENTION_DAYS .180."),
    ("BCO_CONTACT_RETENTION_DAYS", "0", "1 or more"),
    ("BCO_SERVICE_PHONE", "call us", "not a phone number"),
])
def test_bad_values_name_the_variable(variable: str, value: str, fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment) as caught:
        Settings.from_env({variable: value})
    assert variable in str(caught.value)
