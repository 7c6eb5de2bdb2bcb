"""``python -m rayvision_async.simulator.transmitter``: the stand-in engine (see the package docstring)."""

import sys

from ._program import main

sys.exit(main())
