"""Shared test settings: a hypothesis profile sized for a 2-core CI machine."""

from __future__ import annotations

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # the core tests run without hypothesis
    pass
else:
    settings.register_profile(
        "chainrule",
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile("chainrule")
