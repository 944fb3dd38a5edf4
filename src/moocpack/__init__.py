"""moocpack: turn a course written as plain text files into packages every LMS imports.

The library's entry points (docs/api.md): `validate`, `build`, `new`, `formats` and `publish`; `CourseError`
is raised by `build` for a course with errors, its `.report` listing them.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "validate", "build", "new", "formats", "publish", "CourseError", "Report"]


def __getattr__(name: str):
    # Loaded on first use: `import moocpack` stays cheap for the command line and for plug-ins.
    if name in __all__ and name != "__version__":
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'moocpack' has no attribute {name!r}")
