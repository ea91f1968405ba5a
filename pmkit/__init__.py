"""pmkit: plain-text, git-backed planning for IT program managers."""

__version__ = "0.1.0"
