"""Admission order and turns: who gets 6 A first when not everyone can.

Priority first; then a vehicle whose turn is running keeps its place; then
whoever has waited longest. A turn lasts ``rotation_interval_s``; one that
runs out while nobody waits starts again.
"""

from __future__ import annotations

from collections.abc import Sequence

from .classify import Asking, Kind
from .state import NO_QUEUE, ChargerMemory, Queue


def admission_key(
    priority: int,
    position: int,
    memory: ChargerMemory | None,
    now: float,
    rotation_interval_s: float,
) -> tuple[int, int, float, int]:
    """Priority first; then a running turn; then longest waiting; then config order."""
    if memory is not None and turn_running(memory, now, rotation_interval_s):
        return (-priority, 0, memory.queue.turn_since or 0.0, position)
    waiting_since = memory.queue.waiting_since if memory is not None else None
    since = now if waiting_since is None else waiting_since
    return (-priority, 1, since, position)


def turn_running(
    memory: ChargerMemory | None, now: float, rotation_interval_s: float
) -> bool:
    """Whether the charger is admitted in a turn that has not run out."""
    if memory is None:
        return False
    turn_since = memory.queue.turn_since
    return turn_since is not None and now - turn_since < rotation_interval_s


def next_queue(
    memory: ChargerMemory | None,
    admitted: bool,
    now: float,
    rotation_interval_s: float,
) -> Queue:
    """Left out: waiting since (kept); admitted: the turn running, or a new one."""
    queue = memory.queue if memory is not None else NO_QUEUE
    if not admitted:
        if queue.waiting_since is not None and queue.turn_since is None:
            return queue
        since = now if queue.waiting_since is None else queue.waiting_since
        return Queue(waiting_since=since)
    if turn_running(memory, now, rotation_interval_s):
        turn = queue.turn_since
        return queue if queue.waiting_since is None else Queue(turn_since=turn)
    # Run out (or none): a new turn. Nobody waiting does not restart a running
    # one, else one evaluation with room for all resets every turn at once.
    return Queue(turn_since=now)


def admission_order(
    kinds: Sequence[Kind], now: float, rotation_interval_s: float
) -> list[Asking]:
    """Return those asking in admission order (``admission_key``)."""
    return sorted(
        (kind for kind in kinds if isinstance(kind, Asking)),
        key=lambda entry: admission_key(
            entry.charger.priority,
            entry.position,
            entry.memory,
            now,
            rotation_interval_s,
        ),
    )
