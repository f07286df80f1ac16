"""Demo data: one user per role and a realistic year of the product's work, loaded once."""

from __future__ import annotations

import os

from ledger.claims import demo as claims_demo
from ledger.config import Settings
from ledger.funds import demo as funds_demo
from ledger.journal.service import Ledger
from ledger.platform.domain import Role, generate_password
from ledger.platform.repository import UserRepository
from ledger.platform.service import UserService
from ledger.relief import demo as relief_demo

DEMO_USERS = (
    ("adjuster", Role.ADJUSTER, "王理赔"),
    ("adjuster2", Role.ADJUSTER, "赵勘查"),
    ("approver", Role.APPROVER, "李核赔"),
    ("approver2", Role.APPROVER, "周复核"),
    ("accountant", Role.ACCOUNTANT, "陈会计"),
    ("accountant2", Role.ACCOUNTANT, "孙出纳"),
    ("auditor", Role.AUDITOR, "刘审计"),
    ("admin", Role.ADMIN, "张管理"),
    ("caseworker", Role.CASEWORKER, "吴社工"),
    ("caseworker2", Role.CASEWORKER, "郑专干"),
    ("officer", Role.RELIEF_OFFICER, "冯科长"),
    ("officer2", Role.RELIEF_OFFICER, "韩复核"),
)


async def load_demo_users(settings: Settings) -> list[str]:
    """Create the demo users that do not exist yet; passwords are printed once and kept in the data dir.

    The credentials file (mode 0600, under ``LEDGER_DATA_DIR``) lets a developer sign in after a restart
    without the passwords ever being constants in code.
    """
    service = UserService()
    repo = UserRepository()
    lines: list[str] = []
    credentials = settings.data_dir / "demo-credentials.txt"
    for username, role, full_name in DEMO_USERS:
        if await repo.by_username(username):
            continue
        password = generate_password()
        await service.add_user(username=username, role=role.value, password=password, full_name=full_name)
        lines.append(f"  {username:12} {role.value:10} password: {password}")
    if lines:
        credentials.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write("\n".join(line.strip() for line in lines) + "\n")
        lines.insert(0, f"demo users (passwords shown once; also kept in {credentials}):")
    else:
        lines.append(f"demo users already exist; their passwords are in {credentials}")
    return lines


async def load_demo(settings: Settings) -> list[str]:
    """Load every part of the demo that is not there yet; return what to print."""
    lines = await load_demo_users(settings)
    lines += await claims_demo.load_demo(settings)
    lines += await funds_demo.load_demo(settings)
    lines += await relief_demo.load_demo(settings)
    result = await Ledger.of(settings).export()
    lines.append(f"ledger: {result.last_seq} entries in {settings.resolved_ledger_dir}")
    return lines
