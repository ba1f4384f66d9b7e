"""The views of Part II: one module per page of ``book/kv``, holding its figures, tables, numbers and explorers.

Only views draw (matplotlib, :mod:`lib.explore`); the maths modules of :mod:`lib.kv` return arrays and rows.
Shared colours and panels are in :mod:`lib.kv.views.common`.

=========================  =========================================
page                       view
=========================  =========================================
kv-sequential-wyner-ziv    :mod:`lib.kv.views.sequential_wyner_ziv`
kv-window-theorem          :mod:`lib.kv.views.window_theorem`
kv-polynomial-sensitivity  :mod:`lib.kv.views.polynomial_sensitivity`
kv-sinks-and-positions     :mod:`lib.kv.views.sinks_and_positions`
kv-policies                :mod:`lib.kv.views.policies` and its kvpress section :mod:`lib.kv.views.policies_presses`
kv-tokens-or-bits          :mod:`lib.kv.views.tokens_or_bits`
kv-block-markov            :mod:`lib.kv.views.block_markov`
kv-in-context              :mod:`lib.kv.views.in_context`
=========================  =========================================
"""
