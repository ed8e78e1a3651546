"""Test-wide settings: property tests draw the same examples on every run (``derandomize``), so that CI is
reproducible; ``HYPOTHESIS_PROFILE=explore`` draws fresh random examples to hunt for new counterexamples."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("reproducible", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reproducible"))
