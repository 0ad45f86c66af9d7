"""The infrar error tree.

Every class is also the builtin a Python user already catches (as fsspec does), so
``except FileNotFoundError`` works on every provider, and erased code can raise the
builtin itself and behave the same.
"""

from __future__ import annotations

__all__ = [
    "BUILTIN_OF",
    "AlreadyExists",
    "ConfigurationError",
    "InfrarError",
    "InvalidArgument",
    "MissingDependency",
    "NotFound",
    "PermissionDenied",
    "Timeout",
    "Unavailable",
]


class InfrarError(Exception):
    """Root of every error infrar raises."""


class NotFound(InfrarError, FileNotFoundError):
    """A bucket, object, table or queue does not exist."""


class AlreadyExists(InfrarError, FileExistsError):
    """The resource exists and the operation refuses to overwrite it."""


class PermissionDenied(InfrarError, PermissionError):
    """The credentials in use may not do this."""


class Unavailable(InfrarError, ConnectionError):
    """The service could not be reached after the client's bounded retries."""


class Timeout(InfrarError, TimeoutError):
    """The operation did not finish in time."""


class InvalidArgument(InfrarError, ValueError):
    """An argument breaks a rule; the message states the rule."""


class ConfigurationError(InfrarError, ValueError):
    """The environment or configuration is wrong; the message names the variable."""


class MissingDependency(InfrarError, ImportError):
    """A provider's SDK is not installed; the message is the pip command that fixes it."""


# What each class becomes in erased code: the builtin a user's except clause keeps working with.
BUILTIN_OF: dict[str, str] = {
    "InfrarError": "Exception",
    "NotFound": "FileNotFoundError",
    "AlreadyExists": "FileExistsError",
    "PermissionDenied": "PermissionError",
    "Unavailable": "ConnectionError",
    "Timeout": "TimeoutError",
    "InvalidArgument": "ValueError",
    "ConfigurationError": "ValueError",
    "MissingDependency": "ImportError",
}
