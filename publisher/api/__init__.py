"""The OneAll API over HTTP: the client every stage that talks to the network uses."""
