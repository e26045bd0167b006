"""The control API (``/_icpsim/v1``): what a test needs that the cloud does not expose."""

from .app import create_control_app

__all__ = ["create_control_app"]
