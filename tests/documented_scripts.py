"""The Python scripts docs/audit-verification.md prints, read from the doc and run as a reader
would run them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def documented_script(section: str) -> str:
    """The one Python block of the section ``## <section>`` of docs/audit-verification.md."""
    doc = (ROOT / "docs" / "audit-verification.md").read_text()
    text = doc.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    [script] = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    return script


def run_script(script: Path, argument: Path) -> subprocess.CompletedProcess[str]:
    """``script`` run on the file ``argument`` by this interpreter: the finished process, its
    output captured (a minute at most; its exit status is the caller's to check)."""
    return subprocess.run(
        [sys.executable, str(script), str(argument)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
