"""The import preview on big or broken files: problems capped on the page, a broken row
is a problem."""

from __future__ import annotations

import io
import re

from app.services.imports import import_file
from app.services.imports.reading import read_table
from tests.factories import two_teams
from tests.support.imports import CUSTOMER_HEADER, csv_bytes, customer_rows
from tests.support.web import csrf_token, login


def test_preview_lists_the_first_500_problems_and_counts_them_all(client, db_session):
    """Tests a file whose every row is wrong: 700 counted, 500 listed, the rest summed up."""
    world = two_teams()
    login(client, world["admin"].email)
    rows = [[*row[:7], "abc", *row[8:]] for row in customer_rows(700, owner=world["rep1"].email)]
    token = csrf_token(client, "/admin/importacao/")
    page = client.post(
        "/admin/importacao/",
        data={
            "csrf_token": token,
            "kind": "customers",
            "file": (io.BytesIO(csv_bytes(CUSTOMER_HEADER, rows)), "c.csv"),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "700 problemas" in page
    table = page[page.index('id="problems"') : page.index("</table>", page.index('id="problems"'))]
    assert len(re.findall(r"<tr><td>", table)) == 500
    assert "mais 200 problemas" in page


def test_a_row_that_cannot_be_read_is_a_problem_not_an_error(db_session):
    """Tests an unclosed quote running past the CSV field limit, found while streaming the rows."""
    world = two_teams()
    good = csv_bytes(CUSTOMER_HEADER, customer_rows(3, owner=world["rep1"].email))
    raw = good + b'C9;"' + b"x" * 200_000 + b"\r\n"
    result = import_file(
        kind="customers",
        raw=raw,
        filename="quebrado.csv",
        company_id=world["company"].id,
        actor_id=None,
        dry_run=True,
    )
    assert len(result.problems) == 1
    assert result.problems[0].row is None
    assert "linha" in result.problems[0].message
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)


def test_rows_stream_from_the_upload_every_time_they_are_walked():
    """Tests that a table reads its rows lazily and can walk them again (samples,
    then the check)."""
    table = read_table(csv_bytes(CUSTOMER_HEADER, customer_rows(3)), "c.csv")
    rows = table.read_rows()
    assert not isinstance(rows, list)
    assert [n for n, _row in table.numbered()] == [2, 3, 4]
    assert [n for n, _row in table.numbered()] == [2, 3, 4]
