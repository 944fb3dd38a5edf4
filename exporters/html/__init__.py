from .exporter import GuideExporter, HtmlExporter

__all__ = ["GuideExporter", "HtmlExporter"]
