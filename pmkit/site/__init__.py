"""The status website (SPEC §5).

- :mod:`pmkit.site.pages`: ``render_site(model, rollup_document, findings, as_of)``,
  a pure function returning every page (Markdown) and chart (SVG) by path;
- :mod:`pmkit.site.text`: escaping of text from YAML and number formatting;
- :mod:`pmkit.site.charts`: the SVG charts;
- :mod:`pmkit.site.data`: validate, build the model and the rollup of a directory;
- :mod:`pmkit.site.privacy`: private values kept out of published findings;
- :mod:`pmkit.site.plugin`: the MkDocs plugin, a thin adapter;
- :mod:`pmkit.site.build`: ``pmkit site build`` and ``serve`` through MkDocs' API.
"""
