"""Write a file all at once, so a reader never sees half of it and a failure loses nothing.

``atomic_write`` puts the bytes in a temporary file in the target's folder,
flushes them to disk, then renames the temporary file over the target
(``os.replace``, atomic on POSIX and Windows). ``nn.save``, ``render`` and
``to_html`` write through it.
"""

from __future__ import annotations

import os
import secrets

__all__ = ["atomic_write"]

_PREFIX_BYTES = 24
"""At most this many bytes of the target's name start the temporary file's name."""


def _temp_name(name: str) -> str:
    """A hidden name for the temporary file, at most 42 bytes whatever ``name``'s length.

    It starts with the target's name (cut short), so a file left by a power
    cut is recognisable: ``.model.json.3f9a0c1e.tmp``. The full name could
    overflow the file-name limit (255 bytes on most file systems) once the
    suffix is added.
    """
    prefix = ""
    size = 0
    for ch in name:
        size += len(os.fsencode(ch))
        if size > _PREFIX_BYTES:
            break
        prefix += ch
    return f".{prefix}.{secrets.token_hex(4)}.tmp"


def _naming_target(exc: OSError, target: str, what: str) -> OSError:
    """``exc`` again (same class, same errno) naming ``target`` instead of the temporary file."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    message = f"{what}: cannot write {target!r}: {reason}"
    if exc.errno is None:
        return type(exc)(message)
    try:
        new = type(exc)(exc.errno, f"{what}: {reason}", target)
    except TypeError:  # a subclass with its own constructor
        new = OSError(exc.errno, f"{what}: {reason}", target)
    return new


def atomic_write(path: str | os.PathLike[str], data: bytes, *, what: str) -> None:
    """Replace the file at ``path`` with ``data``, completely or not at all.

    The bytes go to a short-named temporary file beside ``path`` (same folder,
    so the final rename never crosses file systems), which is fsynced and then
    renamed over ``path``. On any failure, an interrupt included, the
    temporary file is removed and a previous file at ``path`` is left as it
    was. An ``OSError`` is raised again as the same class with the same
    ``errno``, naming ``path`` (not the temporary file), and with ``what``
    (e.g. ``"nn.save"``) at the start of its message. The new file gets the
    usual permissions (0o666 less the umask). A symbolic link at ``path`` is
    followed, as ``open`` follows it: the file it points to is replaced and
    the link stays.
    """
    target = os.fspath(path)
    if not isinstance(target, str):
        raise TypeError(f"{what}: path must be text, got {target!r}")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"{what}: data must be bytes, got {type(data).__name__}")
    # A symbolic link is followed, as open() would: the file it points to is replaced.
    real = os.path.realpath(target)
    folder, name = os.path.split(real)
    try:
        while True:
            tmp = os.path.join(folder, _temp_name(name))
            try:
                # os.open applies the umask, so the result gets the usual permissions.
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                break
            except FileExistsError:  # pragma: no cover - 32 random bits collided
                continue
    except OSError as exc:
        raise _naming_target(exc, target, what) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, real)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:  # already gone, or the folder went away
            pass
        if isinstance(exc, OSError):
            raise _naming_target(exc, target, what) from None
        raise
    _sync_folder(folder)


def _sync_folder(folder: str) -> None:
    """Flush the rename to disk too, where the system allows it (POSIX); best effort."""
    flag = getattr(os, "O_DIRECTORY", None)
    if flag is None:  # Windows: folders cannot be opened to fsync
        return
    try:
        fd = os.open(folder, os.O_RDONLY | flag)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
