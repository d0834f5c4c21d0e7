"""What each command does, as plain functions: a test or another program calls them without click."""
