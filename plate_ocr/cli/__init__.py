"""The `plate-ocr` command: one small module per subcommand."""
