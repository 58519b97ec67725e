"""Previews of the generator, and probes setting real crops beside it; imports all below training."""
