"""Model surgery and measurement (soups, widening, bundling, benchmarks); may import any part but cli."""
