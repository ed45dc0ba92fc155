"""Wire shapes of the exports besides the resources they stream."""

from __future__ import annotations

import msgspec

from service.http.problems import Problem


class ExportError(msgspec.Struct):
    """The last line of an NDJSON export the database failed in the middle of, in place of a row."""

    error: Problem
