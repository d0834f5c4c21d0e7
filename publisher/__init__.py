"""publisher: Terraform for a content catalog, through the OneAll Push and Update APIs."""

__version__ = "0.2.0"  # the one place the version is written (pyproject.toml reads it)
DISTRIBUTION = "content-catalog-publisher"  # the name pip installs it by; the command is `publisher`
