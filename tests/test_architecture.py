"""Imports flow one way: pages -> primer/bits/kv -> infotheory; explore renders and imports no part (anchor 4)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "lib"
FORBIDDEN = {
    "infotheory": {"lib.bits", "lib.kv", "lib.explore"},
    "explore": {"lib.bits", "lib.kv", "lib.infotheory"},
    "bits": {"lib.kv"},
    "kv": {"lib.bits"},
    "primer": {"lib.bits", "lib.kv"},
}


def imported_modules(path: Path, package: str) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the file's package
                parts = package.split(".") + list(path.relative_to(LIB / package.split(".")[1]).parent.parts)
                base = parts[: len(parts) - node.level + 1]
                names.add(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                names.add(node.module)
    return names


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_import_direction(part):
    folder = LIB / part
    if not folder.exists():
        pytest.skip(f"lib/{part} not written yet")
    bad = {}
    for path in folder.rglob("*.py"):
        wrong = {m for m in imported_modules(path, f"lib.{part}")
                 if any(m == f or m.startswith(f + ".") for f in FORBIDDEN[part])}
        if wrong:
            bad[str(path.relative_to(LIB))] = sorted(wrong)
    assert not bad, f"imports against the flow: {bad}"


def test_every_module_declares_all():
    missing = [str(p.relative_to(LIB)) for p in LIB.rglob("*.py")
               if p.name not in ("__init__.py", "__main__.py") and "__all__" not in p.read_text()]
    assert not missing, f"modules without __all__: {missing}"
