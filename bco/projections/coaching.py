"""What a lead samples for coaching: the team's completed interviews, from the timeline and
worklist read models (no tables of its own; the thin ones come from the dashboard's query)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bco.projections import completeness, timeline, worklist
from bco.projections.readmodel import utc_text


def completed_interviews(db: Database, team: str, since: datetime, *,
                         limit: int = 500) -> list[dict[str, Any]]:
    """The team's interviews completed since `since`, newest first, with tracer and score."""
    cursor = db.execute(
        f"SELECT t.case_id, t.interview_id, w.tracer, w.disease, t.interview_completed_at, "
        f"c.score FROM {timeline.TABLE} t JOIN {worklist.TABLE} w ON w.case_id = t.case_id "
        f"LEFT JOIN {completeness.TABLE} c ON c.interview_id = t.interview_id "
        f"WHERE t.team = ? AND t.interview_completed_at >= ? "
        f"ORDER BY t.interview_completed_at DESC, t.case_id LIMIT ?",
        [team, utc_text(since), limit])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
