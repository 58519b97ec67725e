"""Plain nn.Module recognisers: no Lightning, no data; imports nothing of the package."""
