"""The tables of the Part I views: one row per entry of the library's table, the numbers it computed."""
from lib.bits.literature import FORMATS, format_table
from lib.bits.routes import efficiency_table
from lib.bits.scheme_theory import ratio_table
from lib.bits.views import achievability, in_context, other_routes


def test_format_table_has_a_row_per_format():
    html = in_context.format_table(format_table(1024)).data
    assert html.count("<tr>") == len(FORMATS) + 1 and "B for d = 1024" in html


def test_efficiency_table_shows_the_library_gaps():
    table = efficiency_table((1, 2))
    html = other_routes.efficiency_table(table).data
    assert html.count("<tr>") == 3 and f"{table['rows'][0][3]:.4f}" in html


def test_ratio_table_marks_schemes_that_cannot_run():
    html = achievability.ratio_table(ratio_table([(16, 64), (64, 64)])).data
    assert "<td>QSGD</td><td>–</td>" in html
