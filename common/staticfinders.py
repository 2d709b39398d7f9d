"""Serves only the third-party files we use, straight from node_modules (installed at setup).

Pointing STATICFILES_DIRS at whole `dist/` folders made `collectstatic` hash and compress
hundreds of unused files (over a minute on every start); this finder offers just the list in
settings.VENDOR_ASSETS: {url path under static/: path relative to the project}.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.assets: dict[str, Path] = {
            url: Path(settings.BASE_DIR) / source for url, source in settings.VENDOR_ASSETS.items()
        }

    def check(self, **kwargs):  # type: ignore[no-untyped-def]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs):  # type: ignore[no-untyped-def]
        source = self.assets.get(path)
        if source is None or not source.is_file():
            return [] if find_all else None
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):  # type: ignore[no-untyped-def]
        for url, source in self.assets.items():
            if source.is_file():
                storage = FileSystemStorage(location=str(source.parent))
                # collectstatic copies `path` from `storage` to `prefix/path`
                storage.prefix = str(Path(url).parent)  # type: ignore[attr-defined]
                yield source.name, storage
