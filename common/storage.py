from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed names, gzip only. Brotli at its top quality took ~40 s on every `collectstatic`
    (the API docs bundles are large) for a few kilobytes saved on an intranet."""

    def create_compressor(self, **kwargs: Any) -> Compressor:
        return super().create_compressor(**{**kwargs, "use_brotli": False})
