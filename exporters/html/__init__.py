from .exporter import HtmlExporter

__all__ = ["HtmlExporter"]
