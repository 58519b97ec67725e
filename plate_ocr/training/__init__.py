"""The one place that builds a run, resuming, self-training, sweeps; imports all below it, not tools."""
