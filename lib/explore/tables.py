"""A plain HTML table for page cells: myst-nb renders ``text/html`` outputs as they are, while markdown tables in
cell outputs are not rendered."""
from __future__ import annotations

import html

__all__ = ["FIT_STYLE", "html_table", "show_table"]


#: Inline style of a table that must fit the text width: fixed layout, long words (function names) wrap.
FIT_STYLE = "table-layout: fixed; width: 100%; overflow-wrap: anywhere; font-size: 0.9em"


def html_table(header, rows, fit: bool = False) -> str:
    """``<table>`` with one header row and string cells, escaped; numbers are formatted by the caller.

    With ``fit`` the columns share the text width and long cells wrap, so a wide table never overflows the page.
    """
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    style = f' style="{FIT_STYLE}"' if fit else ""
    return f'<table class="table"{style}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def show_table(header, rows, fit: bool = True):
    """:func:`html_table` as a displayable object: a page cell ending with the call shows the table."""
    from IPython.display import HTML

    return HTML(html_table(header, rows, fit=fit))
