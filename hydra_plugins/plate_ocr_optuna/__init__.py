"""plate_ocr's Optuna sweeper for Hydra (`hydra/sweeper=optuna`); Hydra finds plugins under hydra_plugins."""
