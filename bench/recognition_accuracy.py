"""Accuracy report (rank-1, FNIR, FPIR) on a `person/photo` folder; see recognition_svc.accuracy.

    uv run python bench/recognition_accuracy.py [FOLDER] [--k 1] [--leave-out 1]
"""

from __future__ import annotations

import sys

from recognition_common import FACES

from recognition_svc.accuracy import main

if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        args = [str(FACES / "people"), *args]
    main(args)
