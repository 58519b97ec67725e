"""CTC decoding: greedy, grammar, by name, reframing votes, double-row plates; imports the core only."""
