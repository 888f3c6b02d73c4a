"""Where a line of a draft's source stands: the node (a module's section, an assessment's
question) it belongs to, so a problem can say "line 61, in node 'huddle'".

Read from the text itself, not from the parsed model, because the lines worth naming are the
ones in drafts the parser refuses. Every kind starts its parts with a ``::`` line at the start of
a line (written ``\\::`` inside a text), so one rule serves scenarios, modules and assessments.
"""

import re
from bisect import bisect_right
from collections.abc import Iterable

#: A part's header line, ``:: id | Title``: its id as written (a bad id is still a name).
_HEADER = re.compile(r"^::[ \t]*([^\s|]{1,64})", re.MULTILINE)

#: What a part is called in each kind of document, for the problem list.
PART_WORDS = {"scenario": "node", "module": "section", "assessment": "question"}


def parts_at_lines(source: str, lines: Iterable[int]) -> dict[int, str]:
    """The id of the part each of ``lines`` (1-based) is in; a line above the first part (the
    header) or past the end is left out. One pass over the text whatever the number of lines."""
    starts: list[int] = []
    ids: list[str] = []
    line, offset = 1, 0
    for header in _HEADER.finditer(source):
        line += source.count("\n", offset, header.start())
        offset = header.start()
        starts.append(line)
        ids.append(header.group(1))
    last_line = source.count("\n") + 1
    found = {}
    for wanted in lines:
        index = bisect_right(starts, wanted) - 1
        if index >= 0 and wanted <= last_line:
            found[wanted] = ids[index]
    return found
