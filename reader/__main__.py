"""``python -m reader`` and the ``lectern`` command: the GUI with no arguments, else the CLI."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
