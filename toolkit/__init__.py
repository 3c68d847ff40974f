"""podkit: publish podcast episodes as a static site, an RSS feed and chaptered MP3s."""

__version__ = "0.1.0"
