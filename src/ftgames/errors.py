"""The library's exceptions: every error ftgames raises on purpose derives from :class:`FtgamesError`.

Each subclass also derives from the built-in exception a caller would expect (``ValueError`` for bad input,
``RuntimeError`` for a failed or unavailable solve, ``TypeError`` for an unknown keyword option), so
``except ValueError`` keeps working while ``except FtgamesError`` catches everything the library raises deliberately.
This module imports nothing, so every layer can use it.
"""

from __future__ import annotations


class FtgamesError(Exception):
    """Base class of every deliberate ftgames error."""


class InputError(FtgamesError, ValueError):
    """A value given to the library (file, flag, keyword, environment variable) is unknown or out of range."""


class OptionError(FtgamesError, TypeError):
    """An unknown keyword option: the message lists the valid names."""


class SolveError(FtgamesError, RuntimeError):
    """A solve could not be carried out or did not succeed."""
