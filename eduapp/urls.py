"""URL converters shared by every blueprint."""

from werkzeug.routing import IntegerConverter, Map

from eduapp.extensions import MAX_INTEGER


class RowNumberConverter(IntegerConverter):
    """``<int:...>`` for ids and numbers kept in integer columns: a number larger than a column
    holds matches no route, so it is a 404 like any other missing record, never a database error
    (SECURITY.md row 35)."""

    def __init__(self, url_map: Map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(url_map, *args, **kwargs)
