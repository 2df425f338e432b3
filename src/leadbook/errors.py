"""Errors a user can cause and fix. Each carries one line that says what is wrong and how to fix it."""


class LeadbookError(Exception):
    """A problem with the user's input or book. Shown as one line; exit code 1."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(LeadbookError):
    pass


class InvalidValue(LeadbookError):
    pass


class Duplicate(LeadbookError):
    pass


class BookError(LeadbookError):
    """The book itself cannot be opened, written or upgraded."""
