"""Regenerate examples/sample.db, the sample book the README uses.

    python examples/make_sample.py

The book's "today" is leadbook.sample.TODAY; pin it when you look at the book:

    LEADBOOK_NOW=2026-03-18 leadbook --db examples/sample.db due
"""

from pathlib import Path

from leadbook.sample import build

if __name__ == "__main__":
    target = Path(__file__).with_name("sample.db")
    build(target)
    print(target)
