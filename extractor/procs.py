"""Worker processes for batch work (training folds, `extract --jsonl` over a file).

Forked workers share what the parent has loaded (model, calibration, corpus) without copying it
up front. Fork is used only on Linux: macOS lists it but documents it as unsafe with system
frameworks, and Windows has none; elsewhere the work runs in the calling process, with the
same results.
"""
from __future__ import annotations

import os
import sys


def usable_cores() -> int:
    """Cores this process may run on (affinity and cpusets respected where the OS tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    import multiprocessing as mp
    return sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods()


def env_workers(name: str, default: int) -> int:
    """A worker cap from the environment; unset, empty or not a number → default (never an error)."""
    raw = (os.environ.get(name) or "").strip()
    try:
        return max(1, int(raw)) if raw else default
    except ValueError:
        return default


def fork_pool(workers: int):
    """A process pool whose workers are forked from this process (call only when can_fork())."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"))
