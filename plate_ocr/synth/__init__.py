"""The plate generator: strings, glyphs, layout, camera, fonts, conf/renderer/; imports the core only."""
