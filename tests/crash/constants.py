"""What the crash harness is tuned by."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

LANES = 2  # `baton serve` processes taking kill points side by side (this machine has 2 cores)
CASE_TIMEOUT = 60.0  # seconds for one kill point: the run, the kill, the restart, the finish
POLL = 0.1  # seconds between looks at GitHub and at Baton's database
ARTIFACT = Path(__file__).resolve().parent.parent / "artifacts" / "crash-points.txt"
OWNER = "octo"
REPO_IN_PATH = re.compile(r"^/repos/([^/]+/[^/]+)(/.*)?$")
MARKER = re.compile(r"<!-- baton:.*? -->")
When = Literal["before", "after"]
