"""Plain nn.Module recognisers; no Lightning inside."""
