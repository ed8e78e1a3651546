"""Front end that records each solving process's pid in ``$FTGAMES_TEST_PID_DIR`` and, in any process other than
``$FTGAMES_TEST_PARENT_PID`` (the sweep's own, which solves the first point quickly), sleeps a minute per point."""

import os
import time
from pathlib import Path

from .toy_games import ToyFrontEnd


class ToySlowFrontEnd(ToyFrontEnd):
    def solve(self, file, request):
        pid = os.getpid()
        (Path(os.environ["FTGAMES_TEST_PID_DIR"]) / str(pid)).write_text(str(pid))
        if pid != int(os.environ["FTGAMES_TEST_PARENT_PID"]):
            time.sleep(60)
        return super().solve(file, request)


FRONT_END = ToySlowFrontEnd()
