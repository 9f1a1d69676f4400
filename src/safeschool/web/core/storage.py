"""The static files storage: hashed names and gzip copies (WhiteNoise serves them with year-long cache headers)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Rewrites the references in CSS only: the vendored minified scripts name source maps that are not vendored
    (`//# sourceMappingURL=…`), which would stop collectstatic, and our own scripts reference no other file."""

    patterns = tuple((glob, rules) for glob, rules in CompressedManifestStaticFilesStorage.patterns if glob == "*.css")
