"""Access rows for the node panel and the header page (eduapp/studio/node_views.py): only those
who may edit the draft (its co-authors and admins) open them; a reviewer gets 403, anyone else
404. The draft is matrix_studio's starter; every POST here is refused with its page (400), so
none of them changes it."""

from tests.security.access_world import Row
from tests.security.matrix_studio import DOC, editors

NODE = f"{DOC}/nodes/opening"
BASE = {"base": "1"}

ROWS = {
    ("nodes.node_panel", "GET"): Row(NODE, editors(200)),
    # No title or text: refused by the fields.
    ("nodes.save_node", "POST"): Row(NODE, editors(400), BASE),
    ("nodes.add_choice", "POST"): Row(f"{NODE}/choices", editors(400), BASE),
    ("nodes.choice_page", "GET"): Row(f"{NODE}/choices/1", editors(200)),
    ("nodes.choice_page", "POST"): Row(f"{NODE}/choices/1", editors(400), BASE),
    # Without the label the choice had when shown: refused on the panel.
    ("nodes.move_choice", "POST"): Row(f"{NODE}/choices/1/move", editors(400), BASE),
    ("nodes.delete_choice", "POST"): Row(f"{NODE}/choices/1/delete", editors(400), BASE),
    ("nodes.rename_node", "POST"): Row(f"{NODE}/rename", editors(400), BASE),
    ("nodes.delete_node", "GET"): Row(f"{NODE}/delete", editors(200)),
    # The start, deleted without a new start: refused.
    ("nodes.delete_node", "POST"): Row(f"{NODE}/delete", editors(400), BASE),
    ("nodes.header", "GET"): Row(f"{DOC}/header", editors(200)),
    ("nodes.header", "POST"): Row(f"{DOC}/header", editors(400), BASE),
    ("nodes.add_variable", "POST"): Row(f"{DOC}/header/variables", editors(400), BASE),
    ("nodes.edit_variable", "POST"): Row(f"{DOC}/header/variables/voice", editors(400), {}),
    # "voice" is used by a choice of the starter: it is not deleted.
    ("nodes.delete_variable", "POST"): Row(
        f"{DOC}/header/variables/voice/delete", editors(400), BASE
    ),
}
