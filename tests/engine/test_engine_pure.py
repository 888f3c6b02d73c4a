"""The engine is pure Python: its modules import only each other and the standard library."""

import ast
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "eduapp" / "engine"


def outside_imports(path: Path) -> list[str]:
    """Modules ``path`` imports that are neither relative nor in the standard library."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        else:
            continue
        found += [name for name in names if name.split(".")[0] not in sys.stdlib_module_names]
    return found


def test_engine_imports_only_itself_and_the_standard_library():
    files = sorted(ENGINE.glob("*.py"))
    assert len(files) > 10
    assert {path.name: outside_imports(path) for path in files} == {path.name: [] for path in files}
