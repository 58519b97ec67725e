"""The `plate-ocr` command, one small module per subcommand that parses and calls; may import any part."""
