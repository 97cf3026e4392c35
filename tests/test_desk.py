"""The front desk console over HTTP (the real web app, FastAPI's TestClient): security first, then features.

Runs on a copy of the demo corpus, its own index and a temporary SQLite database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil

import pytest
import yaml
from argon2 import PasswordHasher
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.index import build_index, read_meta, save_index
from store import Store

ADMIN_PASSWORD = "admin password 1"
STAFF_PASSWORD = "staff password 1"
OTHER_PASSWORD = "other password 1"


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def desk_env(tmp_path_factory, embedder):
    """A console on its own corpus copy, index and database, installed on the real web app."""
    from bot.config import PROJECT_ROOT
    from web.app import create_app
    from web.desk.runtime import Desk
    from web.desk.security import SignInLimiter

    base = tmp_path_factory.mktemp("desk")
    (base / "secret").write_text("k" * 64)  # a configured secret file must exist: the console never makes one up
    corpus_dir = base / "answers"
    shutil.copytree(PROJECT_ROOT / "data" / "answers", corpus_dir)
    settings = Settings.from_env(
        corpus_dir=corpus_dir,
        index_dir=base / "index",
        database_url=f"sqlite:///{base / 'desk.db'}",
        desk_secret_file=base / "secret",
        action_server_url="http://127.0.0.1:9",  # nothing listens: publishing must still succeed and say so
        reload_token="test-token",
    )
    from bot.corpus import load_corpus

    save_index(build_index(load_corpus(corpus_dir), embedder, settings.corpus.index_text), settings.corpus.index_dir)
    # A cheap argon2 (the tests sign in hundreds of times; 0.1-0.2 s each with the defaults). What is checked,
    # hashes and the equal-timing dummy, is the same; tests/test_store.py keeps the defaults.
    store = Store.open(settings.storage.database_url, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    store.add_user("boss", ADMIN_PASSWORD, "admin")
    store.add_user("maria", STAFF_PASSWORD, "staff")
    store.add_user("tom", OTHER_PASSWORD, "staff")
    clock = FakeClock()
    # The session's model: loading it again would only cost time.
    desk = Desk(settings, store=store, limiter=SignInLimiter(clock=clock), embedder=embedder)
    app = create_app(settings)
    app.state.desk = desk
    yield app, desk, clock
    store.close()


@pytest.fixture
def app(desk_env):
    return desk_env[0]


@pytest.fixture
def desk(desk_env):
    return desk_env[1]


@pytest.fixture(autouse=True)
def fresh_limits(desk_env):
    desk_env[1].limiter.clear()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]*)"', html).group(1)


def sign_in(app, username: str, password: str) -> TestClient:
    client = TestClient(app)
    page = client.get("/desk/signin")
    response = client.post(
        "/desk/signin",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    return client


def token(client: TestClient) -> str:
    return csrf_of(client.get("/desk/search").text)


def search_api(client: TestClient, q: str, treatment: str = ""):
    return client.post(
        "/desk/api/search", json={"q": q, "treatment": treatment}, headers={"X-CSRF-Token": token(client)}
    )


def search_page(client: TestClient, q: str, treatment: str = ""):
    return client.post("/desk/search", data={"q": q, "treatment": treatment, "csrf_token": token(client)})


@pytest.fixture
def admin(app):
    return sign_in(app, "boss", ADMIN_PASSWORD)


@pytest.fixture
def staff(app):
    return sign_in(app, "maria", STAFF_PASSWORD)


def desk_routes(app) -> list[APIRoute]:
    """Every route of the console's router (the app includes it; FastAPI keeps included routers wrapped)."""
    from web.desk.routes import router

    return [r for r in router.routes if isinstance(r, APIRoute)]


def concrete(path: str) -> str:
    return path.replace("{ticket_id}", "1").replace("{thread_id}", "botox-exercise").replace("{username}", "tom")


def calls(dependant) -> set:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= calls(sub)
    return found


# ------------------------------------------------------------------------------------------- security


def test_every_desk_route_needs_a_session(app):
    client = TestClient(app)
    checked = 0
    for route in desk_routes(app):
        if route.path == "/desk/signin":
            continue
        for method in route.methods:
            response = client.request(method, concrete(route.path), follow_redirects=False)
            if route.path.startswith("/desk/api/"):
                assert response.status_code == 401, (method, route.path)
                assert "Sign in" in response.json()["error"]
            else:
                assert response.status_code == 303, (method, route.path, response.status_code)
                expected = "/desk/signin?next=/desk" if method == "GET" else "/desk/signin"
                assert response.headers["location"].startswith(expected)
            checked += 1
    assert checked >= 25


def test_a_forged_or_stale_cookie_is_no_session(app, staff):
    cookie = staff.cookies.get("desk_session")
    forged = TestClient(app)
    forged.cookies.set("desk_session", cookie[:-4] + ("AAAA" if not cookie.endswith("AAAA") else "BBBB"), path="/desk")
    assert forged.get("/desk/api/tickets").status_code == 401
    from web.desk.security import Sessions

    other_key = Sessions(b"x" * 64).dump(Sessions(b"x" * 64).new("boss"))
    forged.cookies.set("desk_session", other_key, path="/desk")
    assert forged.get("/desk/api/tickets").status_code == 401


def test_admin_routes_refuse_staff(app, staff):
    from web.desk.routes import admin, admin_csrf_checked

    admin_routes = [r for r in desk_routes(app) if calls(r.dependant) & {admin, admin_csrf_checked}]
    assert {r.path for r in admin_routes} == {
        "/desk/users",
        "/desk/users/{username}/active",
        "/desk/tickets/export.csv",
        "/desk/drafts/{thread_id}/publish",
        "/desk/drafts/{thread_id}/discard",
    }
    csrf = token(staff)
    for route in admin_routes:
        for method in route.methods:
            response = staff.request(
                method,
                concrete(route.path),
                headers={"X-CSRF-Token": csrf},
                data={"username": "eve", "password": "p" * 12, "role": "admin", "active": "0"},
            )
            assert response.status_code == 403, (method, route.path)
            assert "Only an admin" in response.text
    assert [u.username for u in staff_store(app).users()] == ["boss", "maria", "tom"]
    assert staff_store(app).user("tom").active


def staff_store(app) -> Store:
    return app.state.desk.store


def test_a_forged_csrf_token_changes_nothing(app, staff, desk):
    ticket_id = desk.store.create_ticket("Ann Lee", "ann@example.com", True, "Lump after filler", [])
    for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": token(sign_in(app, "tom", OTHER_PASSWORD))}):
        response = staff.post(f"/desk/api/tickets/{ticket_id}/claim", headers=headers)
        assert response.status_code == 403 and "did not come from the console" in response.json()["error"]
    form = staff.post("/desk/users", data={"csrf_token": "forged", "username": "x"}, follow_redirects=False)
    assert form.status_code == 403
    assert desk.store.ticket(ticket_id).status == "new"
    ok = staff.post(f"/desk/api/tickets/{ticket_id}/claim", headers={"X-CSRF-Token": token(staff)})
    assert ok.status_code == 200 and ok.json()["assignee"] == "maria"


def test_sign_in_itself_needs_the_form_token(app):
    client = TestClient(app)
    client.get("/desk/signin")
    response = client.post("/desk/signin", data={"username": "boss", "password": ADMIN_PASSWORD, "csrf_token": "x"})
    assert response.status_code == 403 and "desk_session" not in response.headers.get("set-cookie", "")


def attempt_from(app, address: str):
    """Sign-in attempts from one client address (the connection's peer, as uvicorn reports it)."""
    client = TestClient(app, client=(address, 50000))
    csrf = csrf_of(client.get("/desk/signin").text)

    def attempt(username, password, headers=None):
        return client.post(
            "/desk/signin",
            data={"username": username, "password": password, "csrf_token": csrf},
            headers=headers or {},
            follow_redirects=False,
        )

    return attempt


def test_password_guessing_is_slowed_more_with_each_failure(app, desk_env):
    clock = desk_env[2]
    attempt = attempt_from(app, "198.51.100.7")
    for n in range(5):
        response = attempt("maria", f"guess number {n}")
        assert response.status_code == 401 and "Wrong username or password" in response.text
    waits = []
    for n in range(3):
        blocked = attempt("maria", STAFF_PASSWORD)  # refused unchecked, even the right password, until the wait
        assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
        waits.append(int(blocked.headers["retry-after"]))
        clock.now += waits[-1]
        assert attempt("maria", f"another guess {n}").status_code == 401
    assert waits[0] >= 15 and waits[1] >= 2 * waits[0] - 1 and waits[2] >= 2 * waits[1] - 1  # doubling
    clock.now += int(attempt("maria", STAFF_PASSWORD).headers["retry-after"])
    assert attempt("maria", STAFF_PASSWORD).status_code == 303


def test_someone_elses_wrong_passwords_do_not_lock_the_user_out(app, desk_env):
    attacker, maria = attempt_from(app, "203.0.113.66"), attempt_from(app, "198.51.100.20")
    for n in range(12):
        attacker("maria", f"guess number {n}")
    assert attacker("maria", STAFF_PASSWORD).status_code == 429  # the guesser waits
    assert maria("maria", STAFF_PASSWORD).status_code == 303  # the real user, at her own address, does not


def test_guessing_across_accounts_from_one_address_is_slowed(app, desk_env):
    attempt = attempt_from(app, "203.0.113.9")
    for n in range(20):
        assert attempt(f"user{n}", "guess").status_code == 401
    assert attempt("tom", OTHER_PASSWORD).status_code == 429
    assert attempt_from(app, "203.0.113.10")("tom", OTHER_PASSWORD).status_code == 303


def test_guessing_one_account_from_many_addresses_spares_its_known_address(app, desk_env):
    assert attempt_from(app, "198.51.100.30")("tom", OTHER_PASSWORD).status_code == 303  # tom's usual desk
    for n in range(50):
        assert attempt_from(app, f"203.0.113.{100 + n}")("tom", "guess").status_code == 401
    assert attempt_from(app, "203.0.113.200")("tom", OTHER_PASSWORD).status_code == 429  # a new address waits
    assert attempt_from(app, "198.51.100.30")("tom", OTHER_PASSWORD).status_code == 303


def test_an_ipv6_client_counts_as_its_whole_64(desk):
    from web.desk.security import SignInLimiter

    limiter = SignInLimiter(clock=lambda: 1000.0)
    for n in range(20):
        limiter.record(f"user{n}", f"2001:db8:1:2::{n + 1:x}", success=False)
    assert limiter.retry_after("tom", "2001:db8:1:2:ffff::1") > 0
    assert limiter.retry_after("tom", "2001:db8:1:3::1") == 0


def test_the_limiters_memory_is_bounded():
    from web.desk.security import BoundedDict, SignInLimiter

    limiter = SignInLimiter(clock=lambda: 1000.0, max_keys=100)
    for n in range(5000):  # a flood of guesses, each from a new address at a new account name
        limiter.record(f"user{n}", f"10.{n // 65536}.{n // 256 % 256}.{n % 256}", success=False)
        limiter.record(f"user{n}", f"10.9.{n // 256 % 256}.{n % 256}", success=True)
    assert limiter.tracked() <= 4 * 100
    for n in range(5):
        limiter.record("maria", "192.0.2.1", success=False)
    assert limiter.retry_after("maria", "192.0.2.1") > 0  # the newest counts survive the flood
    lru = BoundedDict(2)
    lru.set("a", 1), lru.set("b", 2), lru.get("a"), lru.set("c", 3)
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == (1, None, 3)  # the least recently used one went


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(app, desk):
    from bot.config import parse_networks
    from web.desk.security import client_address

    proxies = desk.trusted_proxies
    assert proxies == ()  # the default: no proxy is trusted
    # From a process on the same host (uvicorn's own default trusts loopback): every spoofed address counts
    # against the connection's real peer.
    attempt = attempt_from(app, "127.0.0.1")
    for n in range(20):
        attempt(f"user{n}", "guess", headers={"X-Forwarded-For": f"192.0.2.{n}"})
    assert attempt("tom", OTHER_PASSWORD, headers={"X-Forwarded-For": "192.0.2.99"}).status_code == 429
    try:
        desk.trusted_proxies = parse_networks(
            Settings.from_env({"AFTERCARE_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}).security.trusted_proxies
        )
        attempt = attempt_from(app, "10.1.2.3")
        for n in range(20):
            attempt(f"user{n}", "guess", headers={"X-Forwarded-For": "192.0.2.50"})
        assert attempt("tom", OTHER_PASSWORD, headers={"X-Forwarded-For": "192.0.2.50"}).status_code == 429
        assert attempt("tom", OTHER_PASSWORD, headers={"X-Forwarded-For": "192.0.2.51"}).status_code == 303
    finally:
        desk.trusted_proxies = proxies
    trusted = parse_networks("10.0.0.0/8")
    # The nearest untrusted hop is the client; what the client wrote further left is not believed.
    assert client_address("10.0.0.1", "6.6.6.6, 192.0.2.5, 10.0.0.2", trusted) == "192.0.2.5"
    assert client_address("192.0.2.7", "6.6.6.6", trusted) == "192.0.2.7"  # not from a proxy: ignored
    assert client_address("10.0.0.1", "not an address", trusted) == "10.0.0.1"
    with pytest.raises(ValueError, match="AFTERCARE_TRUSTED_PROXIES: 'proxy.local'"):
        Settings.from_env({"AFTERCARE_TRUSTED_PROXIES": "proxy.local"})


def test_sign_out_and_deactivation_end_access(app, admin, desk):
    client = sign_in(app, "tom", OTHER_PASSWORD)
    assert client.get("/desk/api/tickets").status_code == 200
    response = admin.post(
        "/desk/users/tom/active", data={"csrf_token": token(admin), "active": "0"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/desk/api/tickets").status_code == 401
    admin.post("/desk/users/tom/active", data={"csrf_token": token(admin), "active": "1"})
    client = sign_in(app, "tom", OTHER_PASSWORD)
    client.post("/desk/signout", data={"csrf_token": token(client)})
    assert client.get("/desk/search", follow_redirects=False).status_code == 303


def copy_of(app, client: TestClient) -> TestClient:
    """Another browser holding a copy of `client`'s session cookie (a stolen or left-behind cookie)."""
    copy = TestClient(app)
    copy.cookies.set("desk_session", client.cookies.get("desk_session"), path="/desk")
    assert copy.get("/desk/api/tickets").status_code == 200
    return copy


def test_sign_out_ends_the_session_on_the_server(app):
    client = sign_in(app, "tom", OTHER_PASSWORD)
    copy = copy_of(app, client)
    assert client.post("/desk/signout", data={"csrf_token": token(client)}, follow_redirects=False).status_code == 303
    refused = copy.get("/desk/api/tickets")
    assert refused.status_code == 401 and "session has ended" in refused.json()["error"]
    assert sign_in(app, "tom", OTHER_PASSWORD).get("/desk/api/tickets").status_code == 200  # a new sign-in works


def test_a_password_change_ends_every_session(app, desk, monkeypatch, capsys):
    from bot import cli

    copy = copy_of(app, sign_in(app, "tom", OTHER_PASSWORD))
    monkeypatch.setenv("DATABASE_URL", desk.settings.storage.database_url)
    try:
        monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\n"))
        assert cli.main(["user", "passwd", "tom", "--password-stdin"]) == 0
        assert "sessions have ended" in capsys.readouterr().out
        assert copy.get("/desk/api/tickets").status_code == 401
        assert copy.get("/desk/search", follow_redirects=False).headers["location"].startswith("/desk/signin")
        assert sign_in(app, "tom", "a brand new password").get("/desk/api/tickets").status_code == 200
    finally:
        desk.store.set_password("tom", OTHER_PASSWORD)


def test_a_deactivated_accounts_old_cookies_stay_dead_after_reactivation(app, admin, desk):
    copy = copy_of(app, sign_in(app, "tom", OTHER_PASSWORD))
    desk.store.set_active("tom", False)
    desk.store.set_active("tom", True)
    assert copy.get("/desk/api/tickets").status_code == 401


def test_a_cookie_without_a_session_version_is_no_session(app, desk):
    from web.desk.security import Session

    old = TestClient(app)  # a cookie as issued before session versions existed
    old.cookies.set("desk_session", desk.sessions.dump(Session("boss", "x" * 32)), path="/desk")
    assert old.get("/desk/api/tickets").status_code == 401


@pytest.mark.parametrize("content", [b"", b"\n", b"short-key", b"x" * 31])
def test_a_short_or_empty_secret_file_is_refused(tmp_path, content):
    from web.desk.runtime import Desk
    from web.desk.security import SecretError

    path = tmp_path / "desk-secret"
    path.write_bytes(content)
    with pytest.raises(SecretError, match=r"needs at least 32 random bytes.*token_hex"):
        Desk(Settings.from_env(desk_secret_file=path))
    assert path.read_bytes() == content  # refused as it is: nothing rewritten, nothing used


def test_a_configured_secret_file_that_is_missing_is_refused(tmp_path):
    from web.desk.runtime import Desk
    from web.desk.security import SecretError

    with pytest.raises(SecretError, match="does not exist"):
        Desk(Settings.from_env({"AFTERCARE_DESK_SECRET_FILE": str(tmp_path / "mounted" / "secret")}))
    assert not (tmp_path / "mounted").exists()


def test_a_strong_secret_is_made_on_first_run(tmp_path):
    from web.desk.security import load_secret

    path = tmp_path / "var" / "desk-secret"
    key = load_secret(path, create=True)
    assert len(key) == 64 and path.stat().st_mode & 0o777 == 0o600
    assert load_secret(path, create=True) == key == load_secret(path, create=False)


def test_the_web_app_does_not_start_with_a_short_secret(tmp_path, monkeypatch):
    from fastapi import FastAPI

    from web.desk import install
    from web.desk.security import SecretError

    (tmp_path / "secret").write_text("")
    monkeypatch.setenv("AFTERCARE_DESK_SECRET_FILE", str(tmp_path / "secret"))
    fresh = FastAPI()
    install(fresh)
    with pytest.raises(SecretError, match="holds 0 bytes"), TestClient(fresh):
        pass
    (tmp_path / "secret").write_text("s" * 64)
    fresh = FastAPI()
    install(fresh)
    with TestClient(fresh) as client:  # a good key: it starts, and the console answers
        assert client.get("/desk/signin").status_code == 200


def test_secure_cookies_follow_the_setting_and_the_public_url(app, desk, tmp_path):
    from web.desk.runtime import Desk

    secret = tmp_path / "secret"
    secret.write_text("s" * 64)

    def secure(environ):
        return Desk(Settings.from_env({"AFTERCARE_DESK_SECRET_FILE": str(secret), **environ})).secure_cookies

    assert not secure({})  # http://127.0.0.1 in development
    assert secure({"AFTERCARE_PUBLIC_URL": "https://aftercare.clinic.example"})
    assert not secure({"AFTERCARE_PUBLIC_URL": "https://aftercare.clinic.example", "AFTERCARE_SECURE_COOKIES": "off"})
    assert secure({"AFTERCARE_PUBLIC_URL": "http://10.0.0.5:8000", "AFTERCARE_SECURE_COOKIES": "on"})
    with pytest.raises(ValueError, match="AFTERCARE_SECURE_COOKIES must be auto, on or off"):
        Settings.from_env({"AFTERCARE_SECURE_COOKIES": "maybe"})
    assert "secure" not in TestClient(app).get("/desk/signin").headers["set-cookie"].lower()
    desk.secure_cookies = True
    try:
        cookie = TestClient(app).get("/desk/signin").headers["set-cookie"].lower()
        assert "; secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    finally:
        desk.secure_cookies = False


def test_the_patients_question_never_goes_into_a_url(staff):
    # A query string is what uvicorn's access log, a reverse proxy's log and browser history keep.
    page = staff.get("/desk/search", params={"q": "my lips went white after filler"})
    assert page.status_code == 200 and 'class="results"' not in page.text and "lips went white" not in page.text
    assert re.search(r'<form method="post" action="/desk/search"', page.text)
    assert staff.get("/desk/api/search", params={"q": "gym after botox"}).status_code == 405
    assert staff.post("/desk/search", data={"q": "gym after botox"}).status_code == 403  # a POST needs its token
    assert staff.post("/desk/api/search", json={"q": "gym after botox"}).status_code == 403
    assert (
        staff.post(
            "/desk/api/search",
            content=b"[1]",
            headers={"X-CSRF-Token": token(staff), "Content-Type": "application/json"},
        ).status_code
        == 422
    )
    searched = search_page(staff, "can I go to the gym after botox?")
    assert searched.url.query == b"" and "How long after Botox can I work out" in searched.text


def test_sign_in_redirects_only_into_the_console(app):
    for target, expected in (
        ("//evil.example/x", "/desk/search"),
        ("https://evil.example", "/desk/search"),
        ("/desk/tickets", "/desk/tickets"),
    ):
        client = TestClient(app)
        csrf = csrf_of(client.get("/desk/signin").text)
        response = client.post(
            "/desk/signin",
            data={"username": "maria", "password": STAFF_PASSWORD, "csrf_token": csrf, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == expected


def test_pages_are_not_cached_and_load_nothing_from_other_hosts(staff):
    response = search_page(staff, "botox gym")
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "connect-src 'self';" in response.headers["content-security-policy"]
    assert not re.search(r'(src|href)="(https?:)?//', response.text.split('<ol class="results">')[0])
    cookie = response.request.headers.get("cookie", "")
    assert "desk_session" in cookie


# ------------------------------------------------------------------------------------------- answer search


def test_search_ranks_threads_with_full_answers_and_a_ready_reply(staff):
    result = search_api(staff, "can I go to the gym after botox?").json()
    assert result["triage"] is None
    top = result["results"][0]
    assert top["thread_id"] == "botox-exercise" and 0 < top["score"] <= 1.2
    assert [r["score"] for r in result["results"]] == sorted((r["score"] for r in result["results"]), reverse=True)
    assert len(top["answers"]) >= 2 and all(a["body"] and a["author"] for a in top["answers"])
    reply = top["reply"]
    assert "Sources:" in reply and "[1]" in reply and "https://demo-clinic.example/" in reply
    assert "not a diagnosis" in reply and "911" in reply
    page = search_page(staff, "can I go to the gym after botox?").text
    assert 'data-copy="reply-1"' in page and "How long after Botox can I work out" in page


def test_search_filters_by_treatment(staff, desk):
    result = search_api(staff, "when can I exercise again?", "filler").json()
    assert result["results"]
    corpus = desk.assistant().corpus
    for r in result["results"]:
        treatments = corpus.get(r["thread_id"]).treatments
        assert "filler" in treatments or "general" in treatments
    assert search_api(staff, "gym", "botox!").status_code == 422


def test_a_red_flag_comes_first(staff):
    query = "i had lip filler an hour ago and now my throat feels tight and i can't breathe properly"
    result = search_api(staff, query).json()
    assert result["triage"]["urgency"] == "emergency" and result["triage"]["urgent"]
    assert "911" in result["triage"]["reply"]
    page = search_page(staff, query).text
    assert 'id="triage"' in page and page.index('id="triage"') < page.index('class="results"')


def test_empty_and_hostile_queries(staff):
    assert search_api(staff, "  ").status_code == 422
    page = search_page(staff, "<script>alert(1)</script>" + "x" * 5000)
    assert page.status_code == 200 and "<script>alert(1)" not in page.text


# ------------------------------------------------------------------------------------------- handoff queue


def test_claim_note_and_resolve_a_ticket(app, staff, desk):
    transcript = [{"role": "patient", "text": "can I talk to someone?", "at": "2026-11-24T10:00:00+00:00"}]
    ticket_id = desk.store.create_ticket("Ann Lee", "+1 555 0100", True, "Bruise after filler", transcript)
    listed = staff.get("/desk/api/tickets").json()["tickets"]
    mine = next(t for t in listed if t["id"] == ticket_id)
    assert (mine["name"], mine["contact"], mine["status"], mine["transcript"]) == (
        "Ann Lee",
        "+1 555 0100",
        "new",
        transcript,
    )

    csrf = token(staff)
    claimed = staff.post(f"/desk/api/tickets/{ticket_id}/claim", headers={"X-CSRF-Token": csrf}).json()
    assert claimed["status"] == "claimed" and claimed["assignee"] == "maria"
    tom = sign_in(app, "tom", OTHER_PASSWORD)
    tom_csrf = token(tom)
    again = tom.post(f"/desk/api/tickets/{ticket_id}/claim", headers={"X-CSRF-Token": tom_csrf})
    assert again.status_code == 409 and "claimed by maria" in again.json()["error"]
    assert tom.post(f"/desk/api/tickets/{ticket_id}/resolve", headers={"X-CSRF-Token": tom_csrf}).status_code == 409

    noted = staff.post(
        f"/desk/api/tickets/{ticket_id}/notes",
        headers={"X-CSRF-Token": csrf},
        data={"text": "Called, booked a check on Friday."},
    ).json()
    assert noted["notes"][-1]["text"] == "Called, booked a check on Friday." and noted["notes"][-1]["author"] == "maria"
    empty = staff.post(f"/desk/api/tickets/{ticket_id}/notes", headers={"X-CSRF-Token": csrf}, data={"text": " "})
    assert empty.status_code == 422 and "empty" in empty.json()["error"]

    resolved = staff.post(f"/desk/api/tickets/{ticket_id}/resolve", headers={"X-CSRF-Token": csrf}).json()
    assert resolved["status"] == "resolved"
    assert ticket_id not in [t["id"] for t in staff.get("/desk/api/tickets").json()["tickets"]]
    assert ticket_id in [t["id"] for t in staff.get("/desk/api/tickets?status=resolved").json()["tickets"]]
    assert staff.get("/desk/api/tickets/999999").status_code == 404
    assert staff.get("/desk/api/tickets?status=bogus").status_code == 422


def test_ticket_export_masks_contact_details(admin, desk):
    desk.store.create_ticket("Zed Quill", "zed.quill@example.org", True, "Swelling question", [])
    response = admin.get("/desk/tickets/export.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert any(r["contact"] == "z***@e***.org" and r["name"] == "Z. Q." for r in rows)
    assert "zed.quill" not in response.text and "Quill" not in response.text and "Swelling" not in response.text


def test_the_queue_is_paginated_newest_first_and_every_ticket_can_be_reached(staff, desk):
    made = {
        desk.store.create_ticket(f"Page Patient {i}", "+1 555 0100", True, "Paging question", []) for i in range(230)
    }  # more than the 200 the queue showed at most
    seen, before, pages = [], "", 0
    while True:
        body = staff.get(f"/desk/api/tickets?status=all&before={before}").json()
        assert len(body["tickets"]) <= 50 and body["new"] == desk.store.count_tickets(("new",))
        seen += [t["id"] for t in body["tickets"]]
        pages += 1
        if body["next"] is None:
            break
        before = body["next"]
    assert made <= set(seen) and len(seen) == len(set(seen)) and seen == sorted(seen, reverse=True)
    assert pages >= 5
    assert len(staff.get("/desk/api/tickets?status=all&limit=200").json()["tickets"]) == 200
    for bad in ("limit=0", "limit=201", "before=abc"):
        assert staff.get(f"/desk/api/tickets?{bad}").status_code == 422


# ------------------------------------------------------------------------------------------- unanswered, drafts, review


def test_unanswered_view_embeds_each_question_once(staff, desk, monkeypatch):
    desk.store.record_unanswered("Can I wear contact lenses after a brow lift?", None)
    staff.get("/desk/api/unanswered")  # whatever is open now is embedded once
    embedded: list[str] = []
    encode = desk.embedder.encode

    def counting(texts, *args, **kwargs):
        embedded.extend(texts)
        return encode(texts, *args, **kwargs)

    monkeypatch.setattr(desk.embedder, "encode", counting)
    first = staff.get("/desk/api/unanswered").json()["groups"]
    assert embedded == []  # nothing new: no embedding at all
    desk.store.record_unanswered("Can I wear contact lenses after a brow lift tomorrow?", None)
    second = staff.get("/desk/api/unanswered").json()["groups"]
    assert embedded == ["Can I wear contact lenses after a brow lift tomorrow?"]  # only the new question
    assert sum(g["count"] for g in second) == sum(g["count"] for g in first) + 1


def test_unanswered_questions_are_grouped_by_similarity(staff, desk):
    for question in (
        "Can I dye my hair after Botox?",
        "Can I dye my hair after Botox?",
        "is it ok to colour my hair after botox",
        "Can I get a spray tan after a chemical peel?",
    ):
        desk.store.record_unanswered(question, None)
    groups = staff.get("/desk/api/unanswered").json()["groups"]
    hair = next(g for g in groups if g["text"] == "Can I dye my hair after Botox?")
    assert hair["count"] == 3 and {w["text"] for w in hair["wordings"]} == {
        "Can I dye my hair after Botox?",
        "is it ok to colour my hair after botox",
    }
    tan = next(g for g in groups if "spray tan" in g["text"])
    assert tan["count"] == 1 and set(tan["ids"]).isdisjoint(hair["ids"])
    page = staff.get("/desk/unanswered").text
    assert f"/desk/drafts/new?ids={','.join(map(str, hair['ids']))}" in page


def test_write_review_and_publish_an_answer(app, staff, admin, desk):
    for question in (
        "Can I use a sunbed after microneedling?",
        "can I use a sunbed after microneedling",
        "is a sunbed ok after microneedling",
    ):
        desk.store.record_unanswered(question, "microneedling")
    group = next(g for g in staff.get("/desk/api/unanswered").json()["groups"] if "sunbed" in g["text"])
    ids = ",".join(map(str, group["ids"]))
    form = staff.get(f"/desk/drafts/new?ids={ids}").text
    assert 'value="Can I use a sunbed after microneedling?"' in form
    assert 'value="microneedling" checked' in form

    missing = staff.post("/desk/drafts", data={"csrf_token": token(staff), "ids": ids, "question": group["text"]})
    assert missing.status_code == 422 and "the clinician&#39;s answer" in missing.text

    before = read_meta(desk.settings.corpus.index_dir).built_at
    created = staff.post(
        "/desk/drafts",
        follow_redirects=False,
        data={
            "csrf_token": token(staff),
            "ids": ids,
            "question": group["text"],
            "treatments": "microneedling",
            "body": "Avoid sunbeds for two weeks after microneedling, because the skin burns easily while it heals.",
            "author_name": "Dr. Test Writer",
            "author_credentials": "MD",
            "author_specialty": "Dermatologist",
            "author_location": "Portland, OR",
            "url": "",
        },
    )
    assert created.status_code == 303
    thread_id = created.headers["location"].split("/desk/drafts/")[1].split("?")[0]
    assert thread_id == "can-i-use-a-sunbed-after-microneedling"
    written = yaml.safe_load((desk.settings.corpus.corpus_dir / f"{thread_id}.yml").read_text())
    assert written["status"] == "draft" and written["treatments"] == ["microneedling"]
    assert read_meta(desk.settings.corpus.index_dir).built_at > before  # the index follows the corpus
    assert all(g["text"] != group["text"] for g in staff.get("/desk/api/unanswered").json()["groups"])
    assert desk.store.unanswered(status="drafted")[0].thread_id == thread_id
    assert thread_id in staff.get("/desk/drafts").text

    # Staff cannot publish; drafts are not served.
    assert staff.post(f"/desk/drafts/{thread_id}/publish", data={"csrf_token": token(staff)}).status_code == 403
    hits = search_api(admin, "can I go on a sunbed after microneedling?").json()["results"]
    assert thread_id not in [r["thread_id"] for r in hits]

    published = admin.post(
        f"/desk/drafts/{thread_id}/publish", data={"csrf_token": token(admin)}, follow_redirects=False
    )
    assert published.status_code == 303 and "bot=not-reloaded" in published.headers["location"]
    notice = admin.get(published.headers["location"]).text
    assert "could not be told to reload" in notice
    written = yaml.safe_load((desk.settings.corpus.corpus_dir / f"{thread_id}.yml").read_text())
    assert written["status"] == "published" and written["reviewed_by"] == "boss"
    assert written["reviewed_at"] == dt.date.today()
    hits = search_api(admin, "can I go on a sunbed after microneedling?").json()["results"]
    assert hits[0]["thread_id"] == thread_id and "Dr. Test Writer" in hits[0]["reply"]
    again = admin.post(f"/desk/drafts/{thread_id}/publish", data={"csrf_token": token(admin)})
    assert again.status_code == 409 and "already published" in again.text


def test_dismissing_a_group(staff, desk):
    desk.store.record_unanswered("what is the capital of peru", None)
    group = next(g for g in staff.get("/desk/api/unanswered").json()["groups"] if "peru" in g["text"])
    response = staff.post(
        "/desk/unanswered/dismiss",
        data={"csrf_token": token(staff), "ids": ",".join(map(str, group["ids"]))},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert all("peru" not in g["text"] for g in staff.get("/desk/api/unanswered").json()["groups"])
    bad = staff.post("/desk/unanswered/dismiss", data={"csrf_token": token(staff), "ids": "1,x"})
    assert bad.status_code == 422


def test_publishing_a_withdrawn_demo_thread_keeps_its_phrasings(tmp_path):
    # The console writes with the corpus writer: what it does not touch (phrasings, answers) stays as it was.
    from bot.config import PROJECT_ROOT
    from bot.corpus import load_corpus
    from web.desk import services

    settings = Settings.from_env({}, corpus_dir=tmp_path / "answers")
    shutil.copytree(PROJECT_ROOT / "data" / "answers", settings.corpus.corpus_dir)
    original = load_corpus(settings.corpus.corpus_dir).get("botox-exercise")
    services.write_thread(
        settings.corpus.corpus_dir, original.model_copy(update={"status": "draft"})
    )  # as an import leaves it
    published = services.publish(settings, "botox-exercise", "boss", today=dt.date(2026, 1, 5))
    assert load_corpus(settings.corpus.corpus_dir).get("botox-exercise") == published
    assert published == original.model_copy(update={"reviewed_by": "boss", "reviewed_at": dt.date(2026, 1, 5)})
    assert published.phrasings


def test_discarding_a_draft(admin, desk):
    created = admin.post(
        "/desk/drafts",
        follow_redirects=False,
        data={
            "csrf_token": token(admin),
            "question": "Can I wear contact lenses after eyelid surgery?",
            "treatments": "blepharoplasty",
            "body": "Wait two weeks before contact lenses.\r\n\r\nAsk at your check-up.",
            "author_name": "Dr. Lens",
        },
    )
    thread_id = created.headers["location"].split("/desk/drafts/")[1].split("?")[0]
    written = (desk.settings.corpus.corpus_dir / f"{thread_id}.yml").read_bytes()
    assert b"\r" not in written
    assert (
        yaml.safe_load(written)["answers"][0]["body"]
        == "Wait two weeks before contact lenses.\n\nAsk at your check-up."
    )
    response = admin.post(
        f"/desk/drafts/{thread_id}/discard", data={"csrf_token": token(admin)}, follow_redirects=False
    )
    assert response.status_code == 303 and not (desk.settings.corpus.corpus_dir / f"{thread_id}.yml").exists()
    refused = admin.post("/desk/drafts/botox-exercise/discard", data={"csrf_token": token(admin)})
    assert refused.status_code == 409 and (desk.settings.corpus.corpus_dir / "botox-exercise.yml").exists()


# ------------------------------------------------------------------------------------------- feedback and users


def test_feedback_rates_and_chart(staff, desk):
    for helpful in (True, True, True, False):
        desk.store.record_feedback("botox-exercise", helpful)
    for helpful in (False, False, True):
        desk.store.record_feedback("filler-flying", helpful)
    data = staff.get("/desk/api/feedback").json()
    rates = {t["thread_id"]: t["rate"] for t in data["threads"]}
    assert rates["botox-exercise"] == 0.75 and round(rates["filler-flying"], 3) == 0.333
    assert data["days"][-1]["day"] == dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert data["days"][-1]["helpful"] >= 4 and len(data["days"]) == 30
    page = staff.get("/desk/feedback").text
    least = page.split("Least helpful answers")[1]
    assert least.index("Can I fly the day after getting filler") < least.index("How long after Botox")
    assert "<svg" in page and 'class="helpful"' in page and 'class="unhelpful"' in page


def test_admin_adds_users(admin, app):
    response = admin.post(
        "/desk/users",
        data={"csrf_token": token(admin), "username": "nina", "role": "staff", "password": "nina password 1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    duplicate = admin.post(
        "/desk/users",
        data={"csrf_token": token(admin), "username": "nina", "role": "staff", "password": "nina password 1"},
    )
    assert duplicate.status_code == 422 and "already exists" in duplicate.text
    short = admin.post(
        "/desk/users", data={"csrf_token": token(admin), "username": "kim", "role": "staff", "password": "short"}
    )
    assert short.status_code == 422 and "at least 10" in short.text
    assert sign_in(app, "nina", "nina password 1").get("/desk/api/tickets").status_code == 200


def test_bot_user_add_command(tmp_path, monkeypatch, capsys):
    from bot import cli

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password 1\n"))
    assert cli.main(["user", "add", "Lee", "--role", "admin", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["user", "add", "kim", "--password-stdin"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert cli.main(["user", "list"]) == 0
    assert "lee\tadmin\tactive" in capsys.readouterr().out
    store = Store.open(f"sqlite:///{tmp_path / 'cli.db'}")
    assert store.authenticate("lee", "a long password 1").is_admin
    store.close()
