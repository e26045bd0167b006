"""The web console and the `icpsim` command: the composition root."""
