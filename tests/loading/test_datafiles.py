"""data() files: CSV rows as mappings of the header's names; a ragged row is an error with its line."""

from __future__ import annotations

import re

import pytest

from publisher.loading.datafiles import DataFileError, read


def _rows(tmp_path, text: str):
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    return read(path, "x.csv")


def test_rows_are_mappings_of_the_header_and_blank_lines_are_skipped(tmp_path):
    rows = _rows(tmp_path, 'sku,name\nA-1,"Shirt, red"\n\nB-2,"Two\nlines"\n')
    assert rows == [{"sku": "A-1", "name": "Shirt, red"}, {"sku": "B-2", "name": "Two\nlines"}]


@pytest.mark.parametrize("text, line", [("a,b\n1,2\n3\n", 3), ("a,b\n1,2,3\n", 2), ("a,b\n1,2\n\n4,5,6\n", 4)])
def test_a_row_with_another_number_of_columns_names_its_line(tmp_path, text, line):
    with pytest.raises(DataFileError, match=f"data\\('x.csv'\\): line {line} has a different number of columns than the header"):
        _rows(tmp_path, text)


def test_an_empty_file_has_no_rows_and_a_byte_order_mark_is_not_part_of_the_header(tmp_path):
    assert _rows(tmp_path, "") == []
    assert _rows(tmp_path, "\ufeffsku\nA\n") == [{"sku": "A"}]


@pytest.mark.parametrize(
    "text, message",
    [
        ('sku,name\nA,"Scarf\nB,Hat\nC,Cap\n', "line 2: a quoted value is never closed"),  # found: swallowed the rest
        ('sku,name\nA,Scarf\nB,"Hat\n', "line 3: a quoted value is never closed"),  # at the end
        ('sku,name\nA,"Sc"arf\n', "line 2: ',' expected after '\"'"),  # text after a closing quote
        ("sku,name\nA,Scarf\nB,H\x00at\n", "line 3 holds a NUL byte"),
        ('"sku,name\nA,Scarf\n', "line 1: a quoted value is never closed"),  # in the header
    ],
)
def test_a_malformed_csv_file_is_an_error_naming_its_line(tmp_path, text, message):
    with pytest.raises(DataFileError, match=re.escape(message)):
        _rows(tmp_path, text)


def test_a_huge_number_in_a_json_data_file_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[" + "9" * 5000 + "]")
    with pytest.raises(DataFileError, match="invalid JSON"):
        read(path, "x.json")
