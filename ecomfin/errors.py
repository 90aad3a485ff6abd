# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Errors raised by the core, carrying where in the input they were found."""


class EcomFinError(Exception):
    """Base class of every error the core raises on purpose."""


class InputError(EcomFinError, ValueError):
    """Bad input: names the file, line, column and offending value when known.

    ``str(error)`` gives one human-readable line such as
    ``alipay.csv, line 12, column 收入金额（+元）: cannot read amount '12,3x'``.
    """

    def __init__(self, message, *, filename=None, line=None, column=None, value=None):
        self.message = message
        self.filename = filename
        self.line = line
        self.column = column
        self.value = value
        super().__init__(self.__str__())

    def located(self, *, filename=None, line=None, column=None, value=None):
        """Return a copy with missing location parts filled in."""
        return InputError(
            self.message,
            filename=self.filename or filename,
            line=self.line if self.line is not None else line,
            column=self.column or column,
            value=self.value if self.value is not None else value,
        )

    def __str__(self):
        where = []
        if self.filename:
            where.append(str(self.filename))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message
