"""Information measures, Fisher information, rate–distortion and Wyner–Ziv coding (scipy-backed).

The shared mathematics of the book: :mod:`lib.bits` and :mod:`lib.kv` import it; it imports neither. Every
function validates its arguments and documents the equation label of the primer page that prints it.

Modules
-------
measures
    entropy, cross-entropy, KL divergence, mutual information, Gaussian KL.
fisher
    Fisher information (closed forms and by quadrature), the Cramér–Rao bound.
vantrees
    The van Trees inequality, the cos² prior and its sampler, exact Gaussian Bayes risks.
ratedistortion
    Gaussian rate–distortion, reverse water-filling, uniform scalar quantisers.
wynerziv
    Wyner–Ziv rate of a Gaussian with decoder side information; a nested (coset) scalar quantiser.
montecarlo
    Monte Carlo of location estimators and scalar quantisers (the primer's simulations), cached.

The primer's figures and explorers live in :mod:`lib.primer.views` (this package imports no other part of
``lib`` except :mod:`lib.checks`, and draws nothing).
"""
from .fisher import (bernoulli_fisher, binomial_fisher, cramer_rao_bound, fisher_information, gaussian_fisher,
                     threshold_quantiser_fisher)
from .measures import (binary_entropy, cross_entropy, entropy, gaussian_entropy, gaussian_kl, kl_divergence,
                       mutual_information)
from .ratedistortion import (WaterFilling, gaussian_distortion_rate, gaussian_rate_distortion, optimal_uniform_step,
                             reverse_water_filling, uniform_quantise, uniform_quantiser_entropy,
                             uniform_quantiser_mse)
from .vantrees import (bayes_risk_cos2, cos2_prior_cdf, cos2_prior_fisher, cos2_prior_pdf, cos2_prior_variance,
                       gaussian_location_bayes_risk, gaussian_posterior_variance, sample_cos2_prior, van_trees_bound)
from .wynerziv import (best_nested_quantiser, conditional_variance_gaussian, nested_quantise, nested_quantiser_mse,
                       wyner_ziv_distortion, wyner_ziv_gaussian)

__all__ = [
    "entropy", "binary_entropy", "cross_entropy", "kl_divergence", "mutual_information", "gaussian_kl",
    "gaussian_entropy",
    "gaussian_fisher", "bernoulli_fisher", "binomial_fisher", "threshold_quantiser_fisher", "fisher_information",
    "cramer_rao_bound", "van_trees_bound", "cos2_prior_fisher", "cos2_prior_pdf", "cos2_prior_cdf",
    "cos2_prior_variance", "sample_cos2_prior", "gaussian_posterior_variance", "gaussian_location_bayes_risk",
    "bayes_risk_cos2",
    "gaussian_rate_distortion", "gaussian_distortion_rate", "WaterFilling", "reverse_water_filling",
    "uniform_quantise", "uniform_quantiser_mse", "optimal_uniform_step", "uniform_quantiser_entropy",
    "conditional_variance_gaussian", "wyner_ziv_gaussian", "wyner_ziv_distortion", "nested_quantise",
    "nested_quantiser_mse", "best_nested_quantiser",
]
