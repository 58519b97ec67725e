"""Reading crops (PyTorch or ONNX Runtime) and ONNX export; imports all below training."""
