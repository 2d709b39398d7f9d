class DomainError(Exception):
    """A business rule refused the request. `code` is stable for programs, `message` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


class ImportRejected(DomainError):
    """A file import refused as a whole; `errors` lists (line number, message) for every bad line."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = errors
        super().__init__("import.rejected", f"Nothing was imported: {len(errors)} problem(s) in the file.")
