"""The status website (SPEC §5).

- :mod:`pmkit.app.site.pages`: ``render_site(model, rollup_document, findings, as_of)``,
  a pure function returning every page (Markdown) and chart (SVG) by path;
- :mod:`pmkit.app.site.text`: escaping of text from YAML and number formatting;
- :mod:`pmkit.app.site.charts`: the SVG charts;
- :mod:`pmkit.app.site.data`: validate, build the model and the rollup of a directory;
- :mod:`pmkit.app.site.privacy`: private values kept out of published findings;
- :mod:`pmkit.app.site.plugin`: the MkDocs plugin, a thin adapter;
- :mod:`pmkit.app.site.build`: ``pmkit site build`` and ``serve`` through MkDocs' API.
"""
