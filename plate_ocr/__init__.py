"""plate_ocr: train, evaluate and deploy a CRNN + CTC reader for Chinese licence plates."""
