"""Carrying out a plan through the OneAll API: the applier, the client, retries and pacing."""
