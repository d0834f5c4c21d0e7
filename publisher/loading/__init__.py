"""Files → YAML with positions → templates → schemas → entries → resources: the catalog."""
