"""What services return and what ``--json`` prints: stdlib dataclasses, one kind for every
command (importing pydantic and building its models cost about 100 ms a command, a third of
the daily commands' budget). They carry no validation: the values come from the book, checked
when they were written. ``lines.to_json`` gives their JSON; ``lines.from_row`` builds one from
a row that may hold more columns than it keeps.

One module per view, so a command imports only the models it shows.
"""
