"""Reports of what a model reads: metrics tables, predictions and pictures of its errors."""
