"""The host side of the `moss` tool: compiling MOSS files, executing generated code, and
turning `moss` properties into JSON and back. Not for MOSS files to import."""
