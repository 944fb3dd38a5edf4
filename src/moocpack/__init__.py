"""moocpack: turn a course written as plain text files into packages every LMS imports."""

__version__ = "0.1.0"
