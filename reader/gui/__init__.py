"""The Qt presentation layer. Only modules in this package may import PySide6."""
