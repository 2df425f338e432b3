"""leadbook: a prospect book for salespeople."""

__version__ = "0.1.0"
