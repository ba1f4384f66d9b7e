"""``python -m lib.notebook normalize|check [PAGE ...]``: pages in the form ``make lab`` saves them.

``normalize`` (``make normalize``) rewrites the pages that are not; ``check`` only names them. Without PAGE, every
page under ``book/`` (checkpoint folders skipped).
"""
from __future__ import annotations

import sys
from pathlib import Path

from .pages import ROOT
from .server import lab_roundtrip, normalize


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("normalize", "check"):
        print("usage: python -m lib.notebook normalize|check [PAGE ...]   (default: every page under book/)",
              file=sys.stderr)
        return 2
    pages = [Path(p) for p in argv[1:]] or sorted(
        p for p in (ROOT / "book").rglob("*.md") if not any(part.startswith(".") for part in p.parts))
    if argv[0] == "check":
        bad = [p for p in pages if lab_roundtrip(p.read_text()) != p.read_text()]
        for p in bad:
            print(f"{p}: not in the form `make lab` saves it; run `make normalize`", file=sys.stderr)
        return 1 if bad else 0
    for p in normalize(pages):
        print(f"normalized {p}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
