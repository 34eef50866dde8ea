"""One case file printed in a fresh process, reporting its peak memory (`casefile_pdf_peak`).

Imports only what its side needs: the baseline is WeasyPrint alone, our side the application.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from uuid import UUID


def main(mode: str, what: str) -> None:
    if mode == "ours":
        from bco.application import BCOApplication
        from bco.config import Settings
        from bco.reports.casefile import build_case_file
        from bco.reports.pdf import render_pdf

        app = BCOApplication(Settings.from_env())
        render_pdf(build_case_file(app, UUID(what), language="nl"), zone=app.settings.zone,
                   phone_region=app.settings.phone_region)
        app.close()
    else:
        from weasyprint import CSS, HTML

        css = CSS(filename=str(Path(what).with_name("casefile.css")))
        HTML(string=Path(what).read_text()).write_pdf(stylesheets=[css])
    print(json.dumps({"peak_mib": peak_mib()}))


def peak_mib() -> float:
    """This process's own peak RSS. Not ru_maxrss: Linux carries that over from the parent
    across fork and exec, so a child of a big process would report the parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
