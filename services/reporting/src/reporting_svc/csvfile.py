"""CSV output: UTF-8 with a BOM (spreadsheets then read Chinese names right), RFC 4180 quoting of
every text cell, cells that a spreadsheet would run as a formula neutralised, written to a temporary file and
renamed into place so a report's file is either whole or absent."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str | int | float:
    """A cell value that cannot start a formula (OWASP CSV injection): text gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value  # numbers, negative ones too, are data, not formulas
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class CsvWriter:
    """Rows go straight to disk: memory stays flat however long the report is.

    Every text cell is quoted, not only those with a comma: a spreadsheet set up for a locale
    whose list separator is `;` (most of Europe) splits unquoted cells at `;`, and the part after
    one would start a cell of its own, where `=...` runs as a formula. Numbers stay bare.
    """

    def __init__(self, stream: Any) -> None:
        self._writer = csv.writer(stream, dialect="excel", lineterminator="\r\n",
                                  quoting=csv.QUOTE_NONNUMERIC)
        self.rows = 0

    def header(self, names: Iterable[str]) -> None:
        self._writer.writerow([safe_cell(n) for n in names])

    def row(self, values: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(v) for v in values])
        self.rows += 1


def temp_path_for(final: Path, attempt: int) -> Path:
    return final.with_name(f".{final.name}.{attempt}.tmp")


def remove_temp_files(final: Path) -> None:
    """Leftovers of attempts whose worker died; the current claim owns the report alone."""
    for leftover in final.parent.glob(f".{final.name}.*.tmp"):
        leftover.unlink(missing_ok=True)


@contextmanager
def atomic_csv(final: Path, attempt: int) -> Iterator[CsvWriter]:
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_temp_files(final)
    temp = temp_path_for(final, attempt)
    try:
        with open(temp, "w", encoding="utf-8-sig", newline="") as stream:
            yield CsvWriter(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, final)
    finally:
        temp.unlink(missing_ok=True)
