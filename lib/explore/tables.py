"""A plain HTML table for page cells: myst-nb renders ``text/html`` outputs as they are, while markdown tables in
cell outputs are not rendered."""
from __future__ import annotations

import html

__all__ = ["html_table", "show_table"]


def html_table(header, rows) -> str:
    """``<table>`` with one header row and string cells, escaped; numbers are formatted by the caller."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def show_table(header, rows):
    """:func:`html_table` as a displayable object: a page cell ending with the call shows the table."""
    from IPython.display import HTML

    return HTML(html_table(header, rows))
