"""Hand-run benchmarks (never in CI). Each prints a table and records it; see bench/README.md."""
