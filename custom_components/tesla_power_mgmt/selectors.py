"""Form fields shared by the config, subentry and options flows."""

from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)


def number(
    minimum: float, maximum: float, unit: str | None = None, step: float = 1
) -> NumberSelector:
    """Return a number box bounded to what makes electrical sense."""
    config = NumberSelectorConfig(
        min=minimum, max=maximum, step=step, mode=NumberSelectorMode.BOX
    )
    if unit:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)
