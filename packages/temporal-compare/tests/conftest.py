import sys
from pathlib import Path

# Tests import the reference implementations in tc_reference.py (importlib mode
# does not put this directory on sys.path by itself).
sys.path.insert(0, str(Path(__file__).resolve().parent))
