"""publisher: Terraform for a content catalog, through the OneAll Push and Update APIs."""

__version__ = "0.1.0"
