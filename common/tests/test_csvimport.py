"""common.csvimport names every row by the file line it starts on (the header is line 1), as an
editor numbers the file, whatever the rows hold: quoted line breaks, blank lines, CR-only ends."""

import pytest

from common.csvimport import csv_rows
from common.exceptions import ImportRejected


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_rows_are_named_by_their_first_file_line(end):
    text = end.join(["a,b", "1,x", '2,"two', 'lines"', "", "3,y", "4"]) + end
    rows = list(csv_rows(text.encode(), required=["a", "b"]))
    assert [(line, row["a"]) for line, row in rows] == [(2, "1"), (3, "2"), (6, "3"), (7, "4")]
    assert rows[1][1]["b"].splitlines() == ["two", "lines"] and rows[3][1] == {"a": "4", "b": ""}


def test_an_unreadable_row_is_named_by_its_first_line():
    data = "a,b\n1,x\n2,y\n" + "3," + "z" * 200_000 + "\n"
    with pytest.raises(ImportRejected) as info:
        list(csv_rows(data.encode(), required=["a"]))
    assert info.value.errors[0][0] == 4 and "longer than" in info.value.errors[0][1]
