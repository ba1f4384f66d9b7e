"""What the view tests share: every view module of a part, its explorer factories, its figure functions.

A view module (``lib/<part>/views/<page>.py``) lists what it offers in ``__all__``; a factory is a function
annotated ``-> Explorer`` that takes no required argument. Tests iterate over these, so a new page's view is
tested as soon as it exists.
"""
from __future__ import annotations

import importlib
import inspect
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def view_modules(part: str) -> list:
    """The modules ``lib.<part>.views.<page>``, one per file, in name order."""
    folder = ROOT / "lib" / part / "views"
    return [importlib.import_module(f"lib.{part}.views.{p.stem}") for p in sorted(folder.glob("[a-z]*.py"))]


def _public(module):
    return [(name, getattr(module, name)) for name in module.__all__]


def explorer_factories(part: str) -> list:
    """``(id, factory)`` of every explorer factory of ``part``'s views (id ``page.function``)."""
    found = []
    for module in view_modules(part):
        for name, fn in _public(module):
            if inspect.isfunction(fn) and inspect.signature(fn).return_annotation in ("Explorer", "lib.explore.Explorer"):
                found.append((f"{module.__name__.rsplit('.', 1)[1]}.{name}", fn))
    return found


def figure_functions(part: str) -> list:
    """``(id, function)`` of every public view function that is neither an explorer factory nor a page's numbers
    (annotated ``-> dict``)."""
    factories = {fn for _, fn in explorer_factories(part)}
    return [(f"{m.__name__.rsplit('.', 1)[1]}.{name}", fn) for m in view_modules(part) for name, fn in _public(m)
            if inspect.isfunction(fn) and fn not in factories
            and inspect.signature(fn).return_annotation not in ("dict", dict)]
