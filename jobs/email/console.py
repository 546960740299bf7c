"""EMAIL_BACKEND=console (the default): writes each message as an .eml file under DATA_DIR/outbox/
for the developer or a test to read, and prints a notice without the body, the link or the address."""
from __future__ import annotations

import os
import secrets
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

from core import settings as settings_mod


def outbox_dir(cfg: settings_mod.Settings) -> Path:
    return cfg.data_dir / "outbox"


def _mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def send(message: EmailMessage, cfg: settings_mod.Settings) -> None:
    data = message.as_bytes()
    folder = outbox_dir(cfg)
    name = f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%f')}-{secrets.token_hex(4)}.eml"
    path = os.path.join(folder, name)
    # The file holds a live link: readable by its owner only.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileNotFoundError:  # the first message: make the folder
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:  # plain os.write: no file object per message
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    print(f"[email:console] to {_mask(str(message['To']))}: {message['Subject']} -> {name}", flush=True)
