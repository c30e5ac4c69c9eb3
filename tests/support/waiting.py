"""Waiting on a condition with a deadline: the one way tests synchronise with threads, processes and servers."""

import time


def wait_until(condition, timeout: float = 30.0, interval: float = 0.05, message: str = "condition never met"):
    """Call `condition` until it returns something truthy and return that; fail after `timeout` seconds.

    `message` may be a callable, called once at the deadline (to say what was seen last)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"{message() if callable(message) else message} (after {timeout}s)")
        time.sleep(interval)
