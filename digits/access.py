"""Who may start and cancel training and activate or delete versions.

Viewing progress, curves, metrics and versions is open to everybody. The actions
follow one rule (:func:`admin_policy`):

1. **A password is configured** (``st.secrets["admin_password"]``, else the
   environment variable ``DIGITS_ADMIN_PASSWORD``): every action needs it, on a
   local run too. It is compared in constant time (``hmac.compare_digest``).
   After 5 wrong attempts the session - and the client's IP address, when the
   server sees one - is locked out for 5 minutes.
2. **No password, local run**: the actions are open when the browser talks to
   the server over loopback (Streamlit reports no client IP), the ``Host`` and
   ``Origin`` headers name ``localhost``, ``127.0.0.1`` or ``::1``, and no proxy
   header (``X-Forwarded-For``, ``X-Real-IP``, ``Forwarded``) is present. Set
   ``DIGITS_ALLOW_LOCAL_ADMIN=0`` to switch this off (e.g. behind a reverse proxy
   on the same machine that rewrites ``Host`` to localhost).
3. **No password, anything else** (a deployed app): the actions are disabled and
   the page says how to set a password.

This module never imports Streamlit: the page passes in the secret's value, the
request headers (``st.context.headers``) and the client IP
(``st.context.ip_address``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urlsplit

MAX_ATTEMPTS = 5
LOCKOUT_SECONDS = 300.0
PASSWORD_ENV = "DIGITS_ADMIN_PASSWORD"
LOCAL_ENV = "DIGITS_ALLOW_LOCAL_ADMIN"
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
PROXY_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")
HOW_TO_SET = (
    'Set one in `.streamlit/secrets.toml` (`admin_password = "..."`; on Streamlit '
    "Community Cloud: the app's Settings -> Secrets) or in the environment variable "
    f"`{PASSWORD_ENV}`, then reload the page."
)


class AccessDenied(PermissionError):
    """An action was refused; the message says why and what to do."""


@dataclass(frozen=True)
class AdminPolicy:
    """How this request may unlock the admin actions."""

    mode: str  # "password", "local" (open, no password set) or "disabled"
    password: str | None = field(default=None, repr=False)


def configured_password(secret: str | None = None, env: Mapping[str, str] = os.environ,
                        ) -> str | None:
    """The admin password: the Streamlit secret if given, else the environment; None if unset.

    Examples
    --------
    >>> configured_password(None, {"DIGITS_ADMIN_PASSWORD": "s3cret"})
    's3cret'
    >>> configured_password("", {}) is None
    True
    """
    for value in (secret, env.get(PASSWORD_ENV)):
        if isinstance(value, str) and value.strip():
            return value
    return None


def _hostname(value: str) -> str | None:
    try:
        return urlsplit(value if "//" in value else f"//{value}").hostname
    except ValueError:
        return None


def request_is_local(headers: Mapping[str, str] | None, client_ip: str | None) -> bool:
    """True when the browser runs on the server's machine and no proxy is in between.

    Examples
    --------
    >>> request_is_local({"Host": "localhost:8501"}, None)
    True
    >>> request_is_local({"Host": "digits.streamlit.app"}, None)
    False
    >>> request_is_local({"Host": "localhost:8501", "X-Forwarded-For": "1.2.3.4"}, None)
    False
    """
    if client_ip is not None or not headers:
        return False
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    if any(name in lower for name in PROXY_HEADERS):
        return False
    if _hostname(lower.get("host", "")) not in LOOPBACK:
        return False
    origin = lower.get("origin")
    return origin is None or _hostname(origin) in LOOPBACK


def admin_policy(password: str | None, local: bool, env: Mapping[str, str] = os.environ,
                 ) -> AdminPolicy:
    """The rule of this module's docstring, for one request.

    Examples
    --------
    >>> admin_policy("s3cret", local=True).mode
    'password'
    >>> admin_policy(None, local=True, env={}).mode
    'local'
    >>> admin_policy(None, local=False).mode
    'disabled'
    """
    if password:
        return AdminPolicy("password", password)
    allow_local = env.get(LOCAL_ENV, "1").strip().lower() not in ("0", "false", "no", "off")
    return AdminPolicy("local" if local and allow_local else "disabled")


@dataclass
class Lockout:
    """Wrong-attempt counter for one session or one client address."""

    failures: int = 0
    locked_until: float = 0.0  # time.monotonic() value

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.locked_until - now)

    def fail(self, now: float, max_attempts: int, lockout_seconds: float) -> None:
        self.failures += 1
        if self.failures >= max_attempts:
            self.locked_until, self.failures = now + lockout_seconds, 0


class _ClientLockouts:
    """Lockouts per client IP, shared by all sessions of this server process."""

    def __init__(self, max_entries: int = 10_000):
        self._lock = threading.Lock()
        self._entries: dict[str, Lockout] = {}
        self._max_entries = max_entries

    def get(self, ip: str) -> Lockout:
        with self._lock:
            if len(self._entries) >= self._max_entries:  # forget the idle ones
                now = time.monotonic()
                self._entries = {k: v for k, v in self._entries.items()
                                 if v.failures or v.seconds_left(now)}
            return self._entries.setdefault(ip, Lockout())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


CLIENT_LOCKOUTS = _ClientLockouts()


def _fingerprint(password: str) -> bytes:
    return hashlib.sha256(password.encode()).digest()


def _wait_text(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.999), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


@dataclass
class AdminGate:
    """One session's admin state: unlocked or not, and its wrong attempts.

    The page keeps one in ``st.session_state``.

    Examples
    --------
    >>> gate = AdminGate()
    >>> policy = admin_policy("s3cret", local=False)
    >>> gate.allowed(policy)
    False
    >>> gate.unlock("s3cret", policy)
    >>> gate.allowed(policy)
    True
    """

    max_attempts: int = MAX_ATTEMPTS
    lockout_seconds: float = LOCKOUT_SECONDS
    lockout: Lockout = field(default_factory=Lockout)
    unlocked_for: bytes | None = field(default=None, repr=False)  # hash of the password

    def allowed(self, policy: AdminPolicy) -> bool:
        """May this session run admin actions now?"""
        if policy.mode == "local":
            return True
        if policy.mode != "password" or self.unlocked_for is None:
            return False
        # A changed password locks every session again.
        return hmac.compare_digest(self.unlocked_for, _fingerprint(policy.password))

    def seconds_locked(self, client_ip: str | None = None, now: float | None = None) -> float:
        """Seconds until this session (or its IP address) may try again; 0 if it may."""
        now = time.monotonic() if now is None else now
        left = self.lockout.seconds_left(now)
        if client_ip:
            left = max(left, CLIENT_LOCKOUTS.get(client_ip).seconds_left(now))
        return left

    def unlock(self, attempt: str, policy: AdminPolicy, client_ip: str | None = None,
               now: float | None = None) -> None:
        """Check ``attempt``; raise :class:`AccessDenied` with a message if it is refused."""
        now = time.monotonic() if now is None else now
        if policy.mode == "disabled":
            raise AccessDenied(f"No admin password is set. {HOW_TO_SET}")
        if policy.mode == "local":
            return
        waiting = self.seconds_locked(client_ip, now)
        if waiting:
            raise AccessDenied(f"Too many wrong passwords. Try again in {_wait_text(waiting)}.")
        if hmac.compare_digest(_fingerprint(attempt or ""), _fingerprint(policy.password)):
            self.lockout = Lockout()
            self.unlocked_for = _fingerprint(policy.password)
            return
        self.lockout.fail(now, self.max_attempts, self.lockout_seconds)
        if client_ip:
            CLIENT_LOCKOUTS.get(client_ip).fail(now, self.max_attempts, self.lockout_seconds)
        waiting = self.seconds_locked(client_ip, now)
        if waiting:
            raise AccessDenied(
                f"Wrong password. Too many wrong attempts: try again in {_wait_text(waiting)}."
            )
        left = self.max_attempts - self.lockout.failures
        raise AccessDenied(f"Wrong password. {left} attempt{'s' * (left != 1)} left.")

    def lock(self) -> None:
        """Forget the unlock (the Lock button)."""
        self.unlocked_for = None
