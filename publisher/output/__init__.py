"""Plans, apply results and problems rendered for people and programs."""
