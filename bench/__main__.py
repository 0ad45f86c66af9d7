"""``python -m bench``: the storage benchmarks (see bench/README.md)."""

import sys

from bench.run import main

sys.exit(main())
