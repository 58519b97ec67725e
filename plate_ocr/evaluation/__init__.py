"""evaluate.py's report and pictures of misreads; imports the core and synth's fonts."""
