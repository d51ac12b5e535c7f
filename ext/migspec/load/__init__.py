"""Load stage: files in, located model objects and diagnostics out."""
