"""Shared library of the monograph.

Subpackages
-----------
infotheory
    Information measures, Fisher information, rate-distortion and Wyner-Ziv (scipy-backed).
primer
    Explorers, figures and small simulations of the primer chapter.
bits
    Part I: bit-constrained stochastic optimisation (bounds, encoders, oracles, simulator).
kv
    Part II: KV-cache truncation sensitivity (models, policies, exact measurement, fits, toys, data store).
explore
    Explorers: parameters plus a compute function, shown as static sliders (built book) or ipywidgets (live kernel).

``explore`` does no mathematics and imports no part; ``primer``, ``bits`` and ``kv`` import ``infotheory``.
"""

from .notebook.glue import capture_glue as _capture_glue
from .notebook.glue import glued  # noqa: F401  (the notebook's inline expressions call lib.glued)

_capture_glue()  # in a reader's kernel, record glued values for the notebook's inline expressions
