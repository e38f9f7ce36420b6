"""JSON columns are written by faceclock_common.db.json_text (orjson): the same text the
standard library's compact encoder writes, and the same values read back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, Table, insert, select

from faceclock_common.db import json_text, make_engine

VALUES: list[Any] = [
    {"index": 0, "start": "2026-10-01T09:00:00+02:00", "late_minutes": 3, "missing": False,
     "leave_type": None, "ratio": 0.1, "nested": [1, [2, {"a": []}]]},
    {"sick": 240, "annual": 60},
    [],
    "a \"quoted\" \\ line\nbreak",
    2**53 + 1,
]


@pytest.mark.parametrize("value", VALUES)
def test_json_text_is_the_standard_compact_text(value: Any) -> None:
    assert json_text(value) == json.dumps(value, separators=(",", ":"))


def test_non_ascii_and_integer_keys_read_back_as_the_standard_encoder_would_give() -> None:
    value = {"congé payé": "Zoë", 7: "seven"}
    assert json.loads(json_text(value)) == json.loads(json.dumps(value))


def test_an_engine_stores_and_reads_json_columns_with_it(tmp_path: Any) -> None:
    documents = [v for v in VALUES if isinstance(v, dict | list)]  # what the columns hold
    engine = make_engine(f"sqlite:///{tmp_path}/json.db")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("doc", JSON))
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(table), [{"id": i, "doc": v} for i, v in enumerate(documents)])
        stored = connection.exec_driver_sql("SELECT doc FROM t ORDER BY id").scalars().all()
        read = connection.execute(select(table.c.doc).order_by(table.c.id)).scalars().all()
    assert stored == [json.dumps(v, separators=(",", ":")) for v in documents]
    assert read == documents
    engine.dispose()
