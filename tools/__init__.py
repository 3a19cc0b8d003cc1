"""The command-line tools: gasync-opt and gasync-run."""
