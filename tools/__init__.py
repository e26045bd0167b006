"""Development tools used by the tests and the bench scripts; never installed."""
