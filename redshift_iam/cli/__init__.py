"""The command line: argv -> one library call -> exit code."""
