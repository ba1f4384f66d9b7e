"""The primer's views: one module per page of ``book/primer/`` (figures and explorers), in :mod:`lib.primer.views`.

The mathematics is in :mod:`lib.infotheory` (its simulations in :mod:`lib.infotheory.montecarlo`); the views turn
it into what the five primer pages show and import :mod:`lib.explore` for the sliders. Nothing else in ``lib``
imports this package.
"""
