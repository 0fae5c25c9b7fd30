"""What the audit trail holds, for tests that check it keeps no personal data."""

from __future__ import annotations

from sqlalchemy import Engine, text


def stored_text(engine: Engine) -> str:
    """Every value of every column of the trail's two tables, as one string."""
    with engine.connect() as conn:
        rows = [*conn.execute(text("SELECT * FROM advice_given")), *conn.execute(text("SELECT * FROM advice_feedback"))]
    return " ".join(str(v) for row in rows for v in row)
