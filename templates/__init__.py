"""The built-in theme (Jinja2 templates and assets), installed as the package
``toolkit.templates`` so that importlib.resources finds it in a checkout, a wheel or a zip."""
