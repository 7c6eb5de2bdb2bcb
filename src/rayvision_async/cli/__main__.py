"""``python -m rayvision_async.cli``."""

import sys

from . import main

sys.exit(main())
