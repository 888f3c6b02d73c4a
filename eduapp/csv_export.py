"""CSV downloads that spreadsheets cannot turn into formulas (SECURITY.md row 19)."""

import csv
import io
from collections.abc import Iterable, Iterator

from flask import Response

#: A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Characters of CSV gathered before they are sent on.
CHUNK_CHARS = 64 * 1024


def neutralise(value) -> str:
    """The cell as text, prefixed with ' when a spreadsheet would evaluate it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _chunks(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    """A CSV attachment; every cell, header included, is neutralised, then quoted by csv.

    The body is written as it is sent, so ``rows`` may be a generator over any number of rows;
    one that reads the database must be wrapped in ``flask.stream_with_context``.
    """
    response = Response(_chunks(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
