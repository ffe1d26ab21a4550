"""Form fields shared by the config, subentry and options flows."""

from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)

from .validators import Amount


def number(amount: Amount) -> NumberSelector:
    """Return a number box with the bounds, step and unit the validator checks."""
    config = NumberSelectorConfig(
        min=amount.low, max=amount.high, step=amount.step, mode=NumberSelectorMode.BOX
    )
    if amount.unit:
        config["unit_of_measurement"] = amount.unit
    return NumberSelector(config)
