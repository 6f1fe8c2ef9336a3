"""BuyNow benchmarks: scripts that print figures (see bench/README.md)."""
