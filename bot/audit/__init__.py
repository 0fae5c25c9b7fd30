"""The audit trail of advice: what was advised, from which knowledge, and what practitioners
said of it (``trail``), and the report a safeguarding lead reads (``report``)."""
