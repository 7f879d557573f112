"""Admin access: the password, the lockout and the no-password rule."""

from __future__ import annotations

import pytest

from digits.access import (
    CLIENT_LOCKOUTS,
    AccessDenied,
    AdminGate,
    admin_policy,
    configured_password,
    request_is_local,
)

LOCAL = {"Host": "localhost:8501", "Origin": "http://localhost:8501"}


@pytest.fixture
def policy():
    """A deployment with the admin password "correct horse"."""
    return admin_policy("correct horse", local=False)


@pytest.fixture(autouse=True)
def fresh_client_lockouts():
    """Each test starts with no remembered client addresses."""
    CLIENT_LOCKOUTS.clear()
    yield
    CLIENT_LOCKOUTS.clear()


def test_right_password_unlocks_the_session(policy):
    """The configured password unlocks the admin actions for this session."""
    gate = AdminGate()
    gate.unlock("correct horse", policy)
    assert gate.allowed(policy)


def test_wrong_password_is_refused_with_attempts_left(policy):
    """A wrong password keeps the actions locked and says how many tries remain."""
    gate = AdminGate()
    with pytest.raises(AccessDenied, match="Wrong password. 4 attempts left."):
        gate.unlock("correct horsE", policy)
    assert not gate.allowed(policy)


def test_five_wrong_passwords_lock_the_session_out(policy):
    """After 5 wrong attempts even the right password waits for the lockout to end."""
    gate = AdminGate()
    for _ in range(4):
        with pytest.raises(AccessDenied, match="Wrong password"):
            gate.unlock("guess", policy, now=100.0)
    with pytest.raises(AccessDenied, match="try again in 5 min 0 s"):
        gate.unlock("guess", policy, now=100.0)
    with pytest.raises(AccessDenied, match="Too many wrong passwords. Try again in 4 min"):
        gate.unlock("correct horse", policy, now=130.0)
    assert not gate.allowed(policy)
    gate.unlock("correct horse", policy, now=401.0)
    assert gate.allowed(policy)


def test_lockout_follows_the_client_address_into_a_new_session(policy):
    """Reloading the page (a new session) does not reset the lockout of the same address."""
    for _ in range(5):
        with pytest.raises(AccessDenied):
            AdminGate().unlock("guess", policy, client_ip="203.0.113.7", now=10.0)
    with pytest.raises(AccessDenied, match="Too many wrong passwords"):
        AdminGate().unlock("correct horse", policy, client_ip="203.0.113.7", now=20.0)
    AdminGate().unlock("correct horse", policy, client_ip="198.51.100.1", now=20.0)


def test_changing_the_password_locks_unlocked_sessions(policy):
    """A session unlocked with the old password must unlock again after a change."""
    gate = AdminGate()
    gate.unlock("correct horse", policy)
    assert not gate.allowed(admin_policy("battery staple", local=False))


def test_no_password_disables_actions_on_a_deployed_app():
    """Without a password a remote visitor gets a refusal that says how to set one."""
    headers = {"Host": "digits.streamlit.app", "Origin": "https://digits.streamlit.app"}
    policy = admin_policy(None, request_is_local(headers, "203.0.113.7"))
    gate = AdminGate()
    assert policy.mode == "disabled" and not gate.allowed(policy)
    with pytest.raises(AccessDenied, match="secrets.toml"):
        gate.unlock("anything", policy)


def test_no_password_on_localhost_allows_actions():
    """A local `streamlit run` with no password is open to the person at the machine."""
    policy = admin_policy(None, request_is_local(LOCAL, None), env={})
    assert policy.mode == "local" and AdminGate().allowed(policy)


def test_local_rule_can_be_switched_off():
    """DIGITS_ALLOW_LOCAL_ADMIN=0 disables the local rule."""
    policy = admin_policy(None, local=True, env={"DIGITS_ALLOW_LOCAL_ADMIN": "0"})
    assert policy.mode == "disabled"


@pytest.mark.parametrize("headers, ip", [
    (LOCAL, "203.0.113.7"),  # a remote peer
    ({**LOCAL, "X-Forwarded-For": "203.0.113.7"}, None),  # a proxy on this machine
    ({**LOCAL, "Origin": "https://digits.example.org"}, None),  # a page served elsewhere
    ({"Host": "digits.example.org"}, None),
    ({}, None),  # no request at all (AppTest, scripts)
])
def test_requests_through_a_proxy_or_from_afar_are_not_local(headers, ip):
    """Anything but a browser on the server's own machine counts as deployed."""
    assert not request_is_local(headers, ip)


def test_password_comes_from_the_secret_first_then_the_environment():
    """st.secrets wins over DIGITS_ADMIN_PASSWORD; blank values count as unset."""
    env = {"DIGITS_ADMIN_PASSWORD": "from-env"}
    assert configured_password("from-secret", env) == "from-secret"
    assert configured_password(None, env) == "from-env"
    assert configured_password("  ", {"DIGITS_ADMIN_PASSWORD": ""}) is None
