"""The primer's explorers, figures and small simulations (pages in ``book/primer/``).

The mathematics is in :mod:`lib.infotheory`; this package turns it into what the five primer pages show and
imports :mod:`lib.explore` for the sliders. Nothing else in ``lib`` imports it.

Modules
-------
simulate
    Monte Carlo of estimators (Fisher / Cramér–Rao page) and cached quantiser runs.
explorers
    One factory per explorer, e.g. ``explorers.gaussian_kl()``.
figures
    Static matplotlib figures.
"""
