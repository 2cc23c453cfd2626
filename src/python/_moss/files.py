"""Writing source files safely."""
from __future__ import annotations

import errno
import os
import stat
import tempfile


def write_atomically(path: str, text: str) -> None:
    """Replace `path` with `text` in one step (a temporary file in the same folder, renamed
    over it), keeping the file's permissions; readers see the old or the new text, never half.

    A folder that cannot be written raises PermissionError saying so (under `moss exec
    --sandbox` only the current folder, the context file's folder, the run's TMPDIR and each
    `--allow-write PATH` can be written)."""
    real = os.path.realpath(path)
    folder = os.path.dirname(real)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(real)}.", suffix=".tmp", dir=folder)
    except OSError as e:
        if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise PermissionError(
                e.errno, f"cannot save {path}: its folder {folder} is not writable here (under --sandbox, pass "
                "--allow-write with that folder to let the code rewrite the file); nothing was changed") from e
        raise
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if os.path.exists(real):
            os.chmod(temporary, stat.S_IMODE(os.stat(real).st_mode))
        os.replace(temporary, real)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
