"""Model surgery and measurement: weight soups, widening, bundling, benchmarks."""
