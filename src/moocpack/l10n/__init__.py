"""The translators' workflow: which strings are missing or out of date, exchange files (XLIFF 2.0
and gettext PO) for any CAT tool, and writing translations back into a language folder."""
