"""Explorers: a figure with sliders, declared once, shown statically in the book and live in a kernel.

Example
-------
>>> import numpy as np
>>> from lib.explore import Explorer, Param, Trace, View
>>> def compute(R):
...     r = np.linspace(0, 4, 50)
...     return View([Trace("D(R)", r, 2.0 ** (-2 * r)), Trace("rate", [R], [2.0 ** (-2 * R)], mode="markers")])
>>> ex = Explorer("doc-example", [Param("R", 0.0, 4.0, default=1.0)], compute, x_label="rate R (bits)")
>>> round(float(ex.view(R=1.0).traces[1].y[0]), 3)
0.25
"""
from .explorer import MODE_VARIABLE, Explorer, mode
from .spec import Choice, Param, Trace, View
from .teach import Move, TryThis

__all__ = ["Explorer", "Param", "Choice", "Trace", "View", "Move", "TryThis", "mode", "MODE_VARIABLE"]
