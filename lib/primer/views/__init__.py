"""One module per primer page: ``book/primer/entropy-kl.md`` imports ``lib.primer.views.entropy_kl``, and so on."""
