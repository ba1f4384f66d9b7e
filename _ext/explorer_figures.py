"""Explorers become numbered figures with a "Try this" box under them, in every builder.

An explorer's output (``lib.explore.static.render_static``) embeds its teaching text as JSON
(``<script class="book-explorer-teach">``: name, caption, Try-this box; ``lib.explore.teach.teaching_meta``).
At read time, before myst-nb picks one MIME type per builder (so the HTML sliders and the PDF's printed image
alike), this transform wraps the output in a figure with that caption and the label ``explorer-<name>``, and
puts the Try-this box after it as an admonition. Sphinx then numbers the figure with the book's other figures
(``numfig``: "Fig. 13.2"), and a page cites it with ``{numref}`explorer-<name>```. The caption is plain text,
so nothing in it can show as raw markup.
"""
from __future__ import annotations

import json
import re

from docutils import nodes
from docutils.transforms import Transform

__all__ = ["ExplorerFigures", "teaching_of", "setup"]

TEACH = re.compile(r'<script type="application/json" class="book-explorer-teach">(.*?)</script>', re.S)
LABEL_PREFIX = "explorer-"


def teaching_of(bundle: nodes.Element) -> dict | None:
    """The teaching JSON an explorer embeds in one of ``bundle``'s raw HTML outputs, or None."""
    for raw in bundle.findall(nodes.raw):
        found = TEACH.search(raw.astext())
        if found:
            return json.loads(found.group(1))
    return None


def _try_box(box: dict) -> nodes.admonition:
    """The Try-this admonition: the question, the numbered moves, and why (if given)."""
    admonition = nodes.admonition(classes=["tip", "book-try"])
    admonition += nodes.title("Try this", "Try this")
    admonition += nodes.paragraph(box["question"], box["question"])
    moves = nodes.enumerated_list(enumtype="arabic", prefix="", suffix=".")
    for text in box["moves"]:
        moves += nodes.list_item("", nodes.paragraph(text, text))
    admonition += moves
    if box.get("why"):
        admonition += nodes.paragraph(box["why"], box["why"])
    return admonition


class ExplorerFigures(Transform):
    """Wrap every explorer output in a numbered, labelled figure and add its Try-this box after it."""

    default_priority = 500

    def apply(self, **kwargs):
        bundles = [n for n in self.document.findall(nodes.container) if n.get("nb_element") == "mime_bundle"]
        for bundle in bundles:
            meta = teaching_of(bundle)
            if meta is None or not meta.get("caption"):
                continue
            figure = nodes.figure(classes=["book-explorer-figure"])
            figure.source, figure.line = bundle.source, bundle.line
            figure["names"].append(LABEL_PREFIX + meta["name"])
            self.document.note_explicit_target(figure, figure)
            bundle.replace_self(figure)
            figure += bundle
            figure += nodes.caption(meta["caption"], meta["caption"])
            if "try" in meta:
                parent = figure.parent
                parent.insert(parent.index(figure) + 1, _try_box(meta["try"]))


def setup(app):
    app.add_transform(ExplorerFigures)
