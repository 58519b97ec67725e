"""Reading crops with a trained model (PyTorch or ONNX Runtime) and exporting it to ONNX."""
