"""episode-renderer: turn a Hugo Markdown episode script into a podcast-ready audio file."""

__version__ = "0.1.0"
