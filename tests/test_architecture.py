"""The import rules of the house (issue 10), checked on the sources of all of ``lib``.

- Imports flow one way: pages -> views -> primer/bits/kv -> infotheory; explore renders and imports no part.
- Only views (``lib/<part>/views/``) and ``lib/explore`` may import ``lib.explore``, matplotlib or plotly.
- No module imports another package's private (``_x``) module.
- Maths modules never build HTML.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "lib"
FORBIDDEN = {
    "infotheory": {"lib.bits", "lib.kv", "lib.explore", "lib.primer"},
    "explore": {"lib.bits", "lib.kv", "lib.infotheory", "lib.primer"},
    "bits": {"lib.kv", "lib.primer"},
    "kv": {"lib.bits", "lib.primer"},
    "primer": {"lib.bits", "lib.kv"},
}
DRAWING = ("lib.explore", "matplotlib", "plotly", "ipywidgets")
#: Modules that are neither maths nor views: build tooling, the notebook server, the Performance page's reader of
#: benchmark records (it shows tables), the store and the checks. Tooling may render; it is not maths.
TOOLING = {"book_sphinx.py", "notebook", "benchdata.py", "store.py", "checks.py", "__init__.py"}
RENDERING_TOOLS = {"book_sphinx.py", "notebook", "benchdata.py"}
HTML = re.compile(r"<(table|tr|td|th|div|span|thead|tbody|p|br|sub|sup)\b[^>]*>|IPython\.display|\bHTML\(")

def lib_modules() -> list[Path]:
    return sorted(p for p in LIB.rglob("*.py") if "__pycache__" not in p.parts)


def rel(path: Path) -> str:
    return str(path.relative_to(LIB))


def module_name(path: Path) -> str:
    parts = ("lib",) + path.relative_to(LIB).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, names: bool = True) -> set[str]:
    """Every module ``path`` imports, relative imports resolved; ``from a import b`` also yields ``a.b`` (the name
    may be a module) unless ``names`` is false."""
    tree = ast.parse(path.read_text())
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.add(module)
            if names:
                found |= {f"{module}.{a.name}" for a in node.names}
    return found


def is_view(path: Path) -> bool:
    parts = path.relative_to(LIB).parts
    return parts[0] == "explore" or "views" in parts


def may_draw(path: Path) -> bool:
    return is_view(path) or path.relative_to(LIB).parts[0] in RENDERING_TOOLS


def is_maths(path: Path) -> bool:
    parts = path.relative_to(LIB).parts
    return not is_view(path) and parts[0] not in TOOLING and path.name not in TOOLING


def _matches(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _drawing_imports(path: Path) -> set[str]:
    return {m for m in imported_modules(path) if _matches(m, DRAWING)}


def _private_in(own: str, module: str) -> bool:
    """Whether ``module`` is a private (``_x``) module of a package other than ``own``."""
    parts = module.split(".")
    return any(part.startswith("_") and not part.startswith("__") and ".".join(parts[:i]) != own
               for i, part in enumerate(parts))


def _private_imports(path: Path) -> set[str]:
    """Private modules of other packages that ``path`` imports, and private names from another part of ``lib``."""
    own = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    modules = {m for m in imported_modules(path, names=False) if _private_in(own, m)}
    top = ".".join(own.split(".")[:2])  # lib.<part>: private names stay inside their part
    names = {m for m in imported_modules(path) if m.startswith("lib.") and ".".join(m.split(".")[:2]) != top
             and m.rsplit(".", 1)[1].startswith("_") and not m.rsplit(".", 1)[1].startswith("__")}
    return modules | names


def _builds_html(path: Path) -> bool:
    return bool(HTML.search(path.read_text()))


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_import_direction(part):
    folder = LIB / part
    bad = {}
    for path in folder.rglob("*.py"):
        wrong = {m for m in imported_modules(path) if _matches(m, FORBIDDEN[part])}
        if wrong:
            bad[rel(path)] = sorted(wrong)
    assert not bad, f"imports against the flow: {bad}"


@pytest.mark.parametrize("path", [pytest.param(p, id=rel(p)) for p in lib_modules() if not may_draw(p)])
def test_only_views_draw(path):
    assert not _drawing_imports(path), (f"{rel(path)} imports {sorted(_drawing_imports(path))}: only "
                                        "lib/<part>/views/ and lib/explore may draw; move the figure into the view")


@pytest.mark.parametrize("path", [pytest.param(p, id=rel(p)) for p in lib_modules()])
def test_no_private_module_of_another_package(path):
    assert not _private_imports(path), f"{rel(path)} imports private modules of another package: " \
                                       f"{sorted(_private_imports(path))}; use the public module"


@pytest.mark.parametrize("path", [pytest.param(p, id=rel(p)) for p in lib_modules() if is_maths(p)])
def test_maths_modules_build_no_html(path):
    assert not _builds_html(path), f"{rel(path)} builds HTML: return rows, and let the view make the table"


def test_the_rules_see_the_whole_library():
    """The classification covers every module, and each rule can fail (a known offender is detected)."""
    modules = lib_modules()
    assert {"bits", "kv", "infotheory", "explore", "primer"} <= {p.relative_to(LIB).parts[0] for p in modules}
    assert any(is_view(p) for p in modules) and any(is_maths(p) for p in modules)
    explore = [p for p in modules if p.relative_to(LIB).parts[0] == "explore"]
    assert any(_builds_html(p) for p in explore) and any(_drawing_imports(p) for p in explore)
    assert _private_in("lib.kv", "lib.infotheory._validate") and not _private_in("lib.kv", "lib.kv._validate")


def test_every_module_declares_all():
    missing = [rel(p) for p in lib_modules()
               if p.name not in ("__init__.py", "__main__.py") and "__all__" not in p.read_text()]
    assert not missing, f"modules without __all__: {missing}"
