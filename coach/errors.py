"""The one exception type the command line turns into a one-line message."""


class CoachError(Exception):
    """A problem the user can act on; str(err) is the whole message (what went wrong and what to do)."""
