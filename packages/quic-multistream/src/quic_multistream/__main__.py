"""``python -m quic_multistream``."""

import sys

from .cli import main

sys.exit(main())
