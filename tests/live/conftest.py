"""A local server with the sample estate, and reader settings with test-sized waits."""

from __future__ import annotations

from typing import Any

import pytest

from govkit.live import ReaderSettings
from govkit.state import State
from govkit.testing.sample import sample_state

# No client-side rate limit and millisecond backoff: tests assert behaviour, not patience.
FAST = ReaderSettings(
    rate_per_second=0,
    backoff_base=0.005,
    breaker_cooldown=0.02,
    poll_interval=0.01,
    seed=7,
    progress=False,
)


@pytest.fixture
def desired() -> State:
    return sample_state()


def client_for(server: Any) -> Any:
    from govkit.live.client import make_client

    return make_client(FAST, host=server.url, token=server.token)
