"""``make job NAME=…``: run one scheduled job now, against the running local
runtime (``make run`` in another terminal), through the same handler that the
schedule calls."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from chalicelib.local.run import ROOT, load_local_file


def main(argv: list[str]) -> int:
    info = load_local_file(Path(os.environ.get("EOFFICE_DATA", ROOT / ".eoffice")) / "local.json")
    if not info:
        print("Chưa có môi trường cục bộ: chạy `make run` trước / run `make run` first.",
              file=sys.stderr)
        return 2
    os.environ.update(info["environment"])
    import app as app_module
    from chalicelib.local.scheduler import jobs_of, run_job

    jobs = jobs_of(app_module.app)
    if len(argv) != 1 or argv[0] not in jobs:
        print("Dùng / usage: make job NAME=<" + "|".join(sorted(jobs)) + ">", file=sys.stderr)
        return 2
    job = jobs[argv[0]]
    try:
        result = run_job(job.name, job.handler_string)
    except OSError as exc:
        print(f"Không kết nối được AWS cục bộ ({exc}); `make run` đang chạy chứ?", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
