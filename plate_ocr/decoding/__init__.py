"""CTC decoding: greedy, grammar-constrained, test-time reframing and double-row layout."""
