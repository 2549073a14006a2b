"""Exchange: IATI XML in and out, Multilateral Fund progress reports and XLSX templates in."""
