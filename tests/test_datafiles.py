"""data() files: CSV rows are read as csv.DictReader reads them."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.datafiles import DataFileError, _csv_rows


def _as_dict_reader_reads(text: str) -> object:
    """What publisher made of a CSV file when it read it with csv.DictReader."""
    rows = list(csv.DictReader(io.StringIO(text)))
    for number, row in enumerate(rows, start=2):
        if None in row or any(value is None for value in row.values()):
            raise DataFileError(f"data('x.csv'): line {number} has a different number of columns than the header")
    return rows


def _outcome(read, text: str) -> tuple[str, object]:
    try:
        return "rows", read(text)
    except (DataFileError, csv.Error) as error:
        return type(error).__name__, str(error)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", ",", "\n", "\r\n", "\r", '"', '""', " ", "é"]), max_size=16).map("".join))
def test_csv_rows_are_what_dict_reader_makes(text):
    assert _outcome(lambda t: _csv_rows(t, "x.csv"), text) == _outcome(_as_dict_reader_reads, text)
