"""Package the bundle as `<name>.skill`: a plain zip whose entries sit under `<name>/`, as Claude's apps and
`gemini skills install` accept. The same bundle always gives the same bytes: entries sorted, timestamps fixed,
permissions fixed, nothing but SKILL.md, references/, workflows/ and assets/ (no dotfiles, no caches)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import BundleError, DestinationError

PACK_SUFFIX = ".skill"
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
"""The earliest time a zip entry can carry; every entry gets it, so the archive does not depend on file times."""
FILE_MODE = 0o100644
FOLDER_MODE = 0o040755


@dataclass(frozen=True, slots=True)
class PackResult:
    """The archive written: its path, size and SHA-256, and its entries in order."""

    path: Path
    size: int
    sha256: str
    entries: tuple[str, ...]


def archive_bytes(skill_dir: str | Path | None = None, *, exclude: Path | None = None) -> tuple[str, bytes, list[str]]:
    """The bundle's name, the archive's bytes and its entry names. `exclude` is a file never to include (the output
    file, when it is written inside the bundle)."""
    import io
    import zipfile

    from .bundle import read_skill_info
    from .files import bundle_files, resolve_inside

    bundle = read_skill_info(skill_dir)
    files = bundle_files(bundle.root)
    if exclude is not None:
        files = [relative for relative in files if (bundle.root / relative).resolve() != exclude.resolve()]
    folders = sorted(
        {"/".join(relative.split("/")[:depth]) for relative in files for depth in range(1, relative.count("/") + 1)}
    )
    names = sorted(
        [f"{bundle.name}/"]
        + [f"{bundle.name}/{folder}/" for folder in folders]
        + [f"{bundle.name}/{relative}" for relative in files]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.create_system = 3  # Unix, so the permission bits below are honoured
            if name.endswith("/"):
                info.external_attr = (FOLDER_MODE << 16) | 0x10  # 0x10: the MS-DOS directory flag
                archive.writestr(info, b"")
                continue
            relative = name.removeprefix(f"{bundle.name}/")
            path = resolve_inside(bundle.root, relative, cited_in=relative)
            try:
                data = path.read_bytes()
            except OSError as error:
                raise BundleError(f"cannot read '{relative}': {error.strerror}", path=relative) from None
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
    return bundle.name, buffer.getvalue(), names


def pack(skill_dir: str | Path | None = None, output: str | Path | None = None) -> PackResult:
    """Write the bundle (default: the packaged backend-skill) to `output` (default: `./<name>.skill`).

    The archive is written to a temporary file beside `output` and renamed over it, so a failure never leaves a
    truncated archive.
    """
    import tempfile

    from .bundle import read_skill_info

    if output is None:
        output = Path.cwd() / f"{read_skill_info(skill_dir).name}{PACK_SUFFIX}"
    output = Path(os.path.abspath(Path(output).expanduser()))
    if output.is_dir():
        raise DestinationError(f"'{output}' is a folder; pass the archive's file name")
    _, data, names = archive_bytes(skill_dir, exclude=output)
    if not output.parent.is_dir():
        raise DestinationError(f"cannot write '{output}': folder '{output.parent}' does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{output.name}-", dir=output.parent)
    except OSError as error:
        raise DestinationError(f"cannot write '{output}': {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, output)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise DestinationError(f"cannot write '{output}': {error.strerror or error}") from None
    return PackResult(output, len(data), hashlib.sha256(data).hexdigest(), tuple(names))
