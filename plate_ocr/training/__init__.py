"""Building and running training: the run, resuming, self-training, sweeps and searches."""
