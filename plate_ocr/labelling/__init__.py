"""The labelling page (`plate-ocr label DIR`): which crop to ask about next, and the local web app that asks;
imports all below cli and tools (inference, training and what they import)."""
