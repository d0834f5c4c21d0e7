"""data() files: CSV rows as mappings of the header's names; a ragged row is an error with its line."""

from __future__ import annotations

import pytest

from publisher.loading.datafiles import DataFileError, _csv_rows


def test_rows_are_mappings_of_the_header_and_blank_lines_are_skipped():
    text = 'sku,name\nA-1,"Shirt, red"\n\nB-2,"Two\nlines"\n'
    assert _csv_rows(text, "x.csv") == [{"sku": "A-1", "name": "Shirt, red"}, {"sku": "B-2", "name": "Two\nlines"}]


@pytest.mark.parametrize("text, line", [("a,b\n1,2\n3\n", 3), ("a,b\n1,2,3\n", 2), ("a,b\n1,2\n\n4,5,6\n", 4)])
def test_a_row_with_another_number_of_columns_names_its_line(text, line):
    with pytest.raises(DataFileError, match=f"line {line} has a different number of columns than the header"):
        _csv_rows(text, "x.csv")


def test_an_empty_file_has_no_rows():
    assert _csv_rows("", "x.csv") == []
