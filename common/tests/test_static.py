from pathlib import Path

from django.core.management import call_command


def test_collectstatic_builds_the_manifest_with_registry_assets(settings, tmp_path: Path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "common.storage.StaticStorage"}}
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    for asset in (
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
        "vendor/chart.js/chart.umd.min.js",
        "css/app.css",
        "js/app.js",
    ):
        assert f'"{asset}"' in manifest, asset
