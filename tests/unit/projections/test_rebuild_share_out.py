"""How a rebuild shares its read models out between processes."""

from __future__ import annotations

from typing import ClassVar

from sqlite_utils import Database

from bco.projections.readmodel import ReadModel
from bco.projections.rebuild import share_out


def model(name: str, cost: float) -> ReadModel:
    class Costed(ReadModel):
        tables: ClassVar[tuple[str, ...]] = ()

        def create(self, db: Database) -> None:
            return None

    Costed.name = name
    Costed.rebuild_cost = cost
    return Costed()


MODELS = [model("casefile", 14), model("completeness", 12), model("timeline", 4),
          model("worklist", 3), model("contacts", 3), model("caseload", 2), model("people", 2),
          model("prompt_yield", 1)]


def names(groups: list[list[ReadModel]]) -> list[list[str]]:
    return [[m.name for m in group] for group in groups]


def test_costliest_stays_in_this_process_and_loads_even_out() -> None:
    groups = share_out(MODELS, 2)
    assert names(groups)[0][0] == "casefile"
    loads = [sum(m.rebuild_cost for m in group) for group in groups]
    assert sorted(m.name for group in groups for m in group) == sorted(m.name for m in MODELS)
    assert max(loads) - min(loads) <= 1  # 41 in all: 21 and 20


def test_never_more_groups_than_read_models_or_processes() -> None:
    assert names(share_out(MODELS[:2], 8)) == [["casefile"], ["completeness"]]
    assert len(share_out(MODELS, 1)) == 1
    assert len(share_out(MODELS, 3)) == 3
