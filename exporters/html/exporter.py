class HtmlExporter: pass
