"""The synthetic plate generator: plate strings, glyphs, layout, camera effects and fonts."""
