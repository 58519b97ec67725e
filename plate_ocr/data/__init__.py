"""Plate data: sources (crops, full CCPD photos, synthetic), transforms and the DataModule."""
