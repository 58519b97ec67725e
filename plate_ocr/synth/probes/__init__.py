"""Probes that set a folder of real crops beside synthetic plates to find what the generator misses."""
