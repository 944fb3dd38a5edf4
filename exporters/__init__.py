"""moocpack's built-in exporters, one module per format, registered as `moocpack.exporters` entry points."""
