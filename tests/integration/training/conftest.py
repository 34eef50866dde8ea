"""The practice sandbox beside the real application, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bco.config import Settings
from bco.training.sandbox import TrainingApplication


@pytest.fixture
def sandbox(settings: Settings, clock: Any) -> Iterator[TrainingApplication]:
    application = TrainingApplication(settings, clock=clock)
    yield application
    application.close()
