"""Sources, validation, augmentation, the dataset and DataModule; imports the core, decoding, synth."""
