"""The grammars of the statements the tool maps, and their option table."""
