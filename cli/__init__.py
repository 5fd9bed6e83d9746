"""The `tthc` command: the outermost layer, which may use every package and is used by none."""
