"""Where the state lives: the store interface, the local file, its journal and its lock."""
