"""Bulk simulation (`icpsim simulate`): a population of filings run through the real
lifecycle, timers, planner and delivery records on a simulated working-day clock."""
