"""The instrument registry: questionnaires defined in version-controlled YAML beside this package
(``registry.py`` reads and checks them)."""
