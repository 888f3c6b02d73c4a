"""What content tells the rest of the house when something is published: the modules whose
scenarios (as learners find them) may have changed. Sent inside the transaction that publishes,
with the app as sender (docs/architecture.md, "Events").
"""

from blinker import Namespace

_signals = Namespace()

#: Publishing changed, or may have changed, which scenarios these modules need: a new module
#: version, or a scenario published for the first time that a module names. Keyword:
#: ``modules``, {module document id: [scenario document ids, in the module's order]}.
module_scenarios_changed = _signals.signal("content.module-scenarios-changed")
