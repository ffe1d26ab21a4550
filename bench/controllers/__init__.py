"""The controllers compared by the benchmark, by name."""

from collections.abc import Mapping

from bench.controllers.base import Controller
from bench.controllers.evcc import EvccController
from bench.controllers.ours import OursController
from bench.controllers.smartevse import SmartEvseController
from bench.controllers.static import StaticController
from bench.controllers.tesla import TeslaController

CONTROLLERS: Mapping[str, type[Controller]] = {
    controller.name: controller
    for controller in (
        OursController,
        StaticController,
        TeslaController,
        EvccController,
        SmartEvseController,
    )
}

__all__ = ["CONTROLLERS", "Controller"]
