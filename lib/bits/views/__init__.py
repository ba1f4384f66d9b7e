"""One module per Part I page: ``book/bits/achievability.md`` imports ``lib.bits.views.achievability``, and so on.

A view turns the results of the maths modules of :mod:`lib.bits` into the page's figures (matplotlib), tables and
explorers (:mod:`lib.explore`); only views draw.
"""
