"""python -m infrar.erase --provider {local,aws,gcp,azure} SRC -o OUT"""

import sys

from infrar.erase.cli import main

sys.exit(main())
