"""The views of Part II: one module per page of ``book/kv``, holding its figures, tables, numbers and explorers.

Only views draw (matplotlib, :mod:`lib.explore`); the maths modules of :mod:`lib.kv` return arrays and rows.
Shared colours and panels are in :mod:`lib.kv.views.common`.

=========================  ==================================