"""Who caused an overload: the controller, a surprise, or the home alone.

Per limit and step, the over-amount ``E`` (current minus allowed) is compared
with ``U``, what it would be had the controller made no rise since the limit
was last within bounds: each vehicle's setpoint, charging switch and unit
pilot held at their value then, lowered by the controller's later decreases,
never raised (a rise that lands while the limit is over is rejected). A rise
sent before the latest surprise on the limit became visible is not rejected:
the controller could not know. bench/README.md has the whole model.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bench.actuator import Act

EPSILON_A = 0.05
MIN_RELIABLE_A = 5  # a Tesla asked for 1-4 A charges at 5 A


@dataclass(frozen=True)
class ChargerStep:
    """One charger during one step, as the attribution needs it."""

    vehicle: str | None  # the vehicle plugged in
    obeys: bool  # False: the vehicle ignores commands
    free_a: float  # what it would draw with no setpoint and no pilot limit
    drawn_a: float
    live_phases: tuple[str, ...]  # site phases it draws on (with voltage)


type Key = tuple[str, str]  # (act kind, vehicle name or charger id for "pilot")


@dataclass
class CapState:
    """The caps acts have set: vehicle setpoint and switch, unit pilots."""

    setpoint: dict[str, int] = field(default_factory=dict)
    charging: dict[str, bool] = field(default_factory=dict)
    pilot: dict[str, int] = field(default_factory=dict)

    def value(self, act: Act) -> float:
        """Return the current value of what ``act`` changes (inf: no limit)."""
        if act.kind == "pilot":
            return float(self.pilot.get(act.charger_id, 10**6))
        assert act.vehicle is not None  # vehicle acts always name one
        if act.kind == "charging":
            return float(self.charging.get(act.vehicle, True))
        return float(self.setpoint.get(act.vehicle, 10**6))

    def apply(self, act: Act, value: float) -> None:
        """Set what ``act`` changes to ``value``."""
        if act.kind == "pilot":
            self.pilot[act.charger_id] = int(value)
        elif act.kind == "charging":
            assert act.vehicle is not None
            self.charging[act.vehicle] = bool(value)
        else:
            assert act.vehicle is not None
            self.setpoint[act.vehicle] = int(value)


def draw_a(
    caps: CapState, overrides: Mapping[Key, float], charger_id: str, step: ChargerStep
) -> float:
    """Return what a vehicle draws under ``caps`` (``overrides`` replacing some)."""
    if step.vehicle is None:
        return 0.0
    allowed = step.free_a
    pilot = overrides.get(("pilot", charger_id), caps.pilot.get(charger_id))
    if pilot is not None:
        allowed = min(allowed, pilot)
    if step.obeys:
        name = step.vehicle
        on = overrides.get(("charging", name), caps.charging.get(name, True))
        setpoint = overrides.get(("current", name), caps.setpoint.get(name))
        if not on or (setpoint is not None and setpoint <= 0):
            return 0.0
        if setpoint is not None:
            allowed = min(allowed, max(setpoint, MIN_RELIABLE_A))
    return allowed


def act_key(act: Act) -> Key:
    """Return what an act changes."""
    if act.kind == "pilot":
        return ("pilot", act.charger_id)
    assert act.vehicle is not None
    return (act.kind, act.vehicle)


type Weight = Callable[[str, tuple[str, ...]], float]


@dataclass
class Surprise:
    """A rise the controller did not cause: its amount and when it was seen."""

    amount_a: float
    at: float
    seen_at: float | None = None


@dataclass
class LimitAttribution:
    """The attribution on one limit; ``add`` once per step."""

    weight: Weight
    latency_s: float
    # Overloads less than this apart are one episode: its grace does not restart.
    merge_s: float = 0.0
    overrides: dict[Key, float] = field(default_factory=dict)
    surprises: list[Surprise] = field(default_factory=list)
    last_seen_at: float = -1.0
    last_uncaused_a: float = 0.0
    last_over_at: float = -1e9
    episode_seen_at: float | None = None

    def land(self, act: Act, old: float, new: float, over: bool) -> None:
        """Take an act that took effect this step (before ``split``)."""
        key = act_key(act)
        held = self.overrides.get(key)
        if new < old:
            if held is not None and new < held:
                del self.overrides[key]
            return
        if new == old:
            return
        pending = any(s.seen_at is None for s in self.surprises)
        if over and not pending and act.sent_s >= self.last_seen_at:
            self.overrides.setdefault(key, old)

    def split(
        self,
        now: float,
        excess_a: float,
        caps: CapState,
        chargers: Mapping[str, ChargerStep],
    ) -> tuple[float, float, float]:
        """Return (self-caused, beyond grace, home alone) amps this step."""
        if excess_a <= EPSILON_A:
            self.overrides.clear()
            self.last_uncaused_a = 0.0  # within the limit: nothing to rise from
            self._expire(now)
            return 0.0, 0.0, 0.0
        uncaused = excess_a
        commanded_drawing = False
        for charger_id, step in chargers.items():
            weight = self.weight(charger_id, step.live_phases)
            if weight == 0 or step.vehicle is None:
                continue
            commanded_drawing |= step.obeys and step.drawn_a > EPSILON_A
            if self.overrides:
                held = draw_a(caps, self.overrides, charger_id, step)
                uncaused += weight * (held - draw_a(caps, {}, charger_id, step))
        if not commanded_drawing:
            self.last_uncaused_a = uncaused
            return 0.0, 0.0, excess_a
        if now - self.last_over_at > self.merge_s:
            self.episode_seen_at = None
        self.last_over_at = now
        rise = uncaused - max(0.0, self.last_uncaused_a)
        if uncaused > EPSILON_A and rise > 0:
            latest = self.surprises[-1] if self.surprises else None
            if latest is not None and latest.seen_at is None:
                latest.amount_a += rise  # a creep before it is seen: one surprise
            else:
                self.surprises.append(Surprise(rise, now, self.episode_seen_at))
        self.last_uncaused_a = uncaused
        self._expire(now)
        surprise_a = min(excess_a, max(0.0, uncaused))
        forgiven = sum(s.amount_a for s in self.surprises)
        return excess_a - surprise_a, max(0.0, surprise_a - forgiven), 0.0

    def seen(self, now: float, at_or_after: Callable[[float], bool]) -> None:
        """Mark surprises the controller can now see (``at_or_after(at)``)."""
        for surprise in self.surprises:
            if surprise.seen_at is None and at_or_after(surprise.at):
                surprise.seen_at = now
                self.last_seen_at = now
                if self.episode_seen_at is None:
                    self.episode_seen_at = now

    def _expire(self, now: float) -> None:
        self.surprises = [
            s
            for s in self.surprises
            if s.seen_at is None or now < s.seen_at + self.latency_s + 5.0
        ]


class ActReplay:
    """Replays the actuator's log: which acts took effect at each step."""

    def __init__(
        self, log: list[Act], ignoring: frozenset[str], setpoints: Mapping[str, int]
    ) -> None:
        """Follow ``log`` (appended to by the actuator) from the cars' setpoints."""
        self.log = log
        self.ignoring = ignoring
        self.caps = CapState(setpoint=dict(setpoints))
        self._read = 0
        self._pending: list[Act] = []

    def land(self, now: float) -> list[tuple[Act, float, float]]:
        """Apply the acts due by ``now``; return each with its old and new value."""
        self._pending.extend(self.log[self._read :])
        self._read = len(self.log)
        due = [a for a in self._pending if a.due_s <= now]
        if not due:
            return []
        self._pending = [a for a in self._pending if a.due_s > now]
        landed = []
        for act in sorted(due, key=lambda a: (a.due_s, a.sent_s)):
            if act.kind != "pilot" and act.vehicle in self.ignoring:
                continue
            old = self.caps.value(act)
            self.caps.apply(act, act.value)
            landed.append((act, old, float(act.value)))
        return landed
