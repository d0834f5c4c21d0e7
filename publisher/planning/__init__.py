"""The catalog against the state: one action per address, and saved plans."""
