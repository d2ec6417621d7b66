"""The one failure type of every check."""


class CheckFailure(AssertionError):
    """A check that failed, with what was expected, what was found and a hint.

    It is an `AssertionError`, so nbgrader counts it as a failed test.
    """

    def __init__(self, what, expected=None, got=None, hint=None):
        self.what = what
        self.expected = expected
        self.got = got
        self.hint = hint
        message = what
        if expected is not None or got is not None:
            message += f": expected {expected}, got {got}"
        if not message.endswith((".", "!", "?")):
            message += "."
        if hint:
            message += f"\nHint: {hint}"
        super().__init__(message)
