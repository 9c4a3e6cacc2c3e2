"""One module per ``ntrk-kg`` subcommand; each exposes a click command named ``command``."""
