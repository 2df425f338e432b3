"""Pydantic models: what services return and what ``--json`` prints (``model_dump(mode="json")``).

One module per view, so a command imports (and pydantic builds) only the models it shows.
"""
