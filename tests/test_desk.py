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
    from web.app import app
    from web.desk.runtime import Desk
    from web.desk.security import SignInLimiter

    from bot.config import PROJECT_ROOT

    base = tmp_path_factory.mktemp("desk")
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

    save_index(build_index(load_corpus(corpus_dir), embedder, settings.index_text), settings.index_dir)
    store = Store.open(settings.database_url)
    store.add_user("boss", ADMIN_PASSWORD, "admin")
    store.add_user("maria", STAFF_PASSWORD, "staff")
    store.add_user("tom", OTHER_PASSWORD, "staff")
    clock = FakeClock()
    desk = Desk(settings, store=store, limiter=SignInLimiter(clock=clock))
    desk._embedder = embedder  # the session's model: loading it again would only cost time
    previous = getattr(app.state, "desk", None)
    app.state.desk = desk
    yield app, desk, clock
    app.state.desk = previous
    store.close()


@pytest.fixture
def app(desk_env):
    return desk_env[0]


@pytest.fixture
def desk(desk_env):
    return desk_env[1]


@pytest.fixture(autouse=True)
def fresh_limits(desk_env):
    desk_env[1].limiter._failures.clear()
    desk_env[1].limiter._attempts.clear()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]*)"', html).group(1)


def sign_in(app, username: str, password: str) -> TestClient:
    client = TestClient(app)
    page = client.get("/desk/signin")
    response = client.post("/desk/signin", data={"username": username, "password": password,
                                                 "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return client


def token(client: TestClient) -> str:
    return csrf_of(client.get("/desk/search").text)


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
        "/desk/users", "/desk/users/{username}/active", "/desk/tickets/export.csv",
        "/desk/drafts/{thread_id}/publish", "/desk/drafts/{thread_id}/discard",
    }
    csrf = token(staff)
    for route in admin_routes:
        for method in route.methods:
            response = staff.request(method, concrete(route.path), headers={"X-CSRF-Token": csrf},
                                     data={"username": "eve", "password": "p" * 12, "role": "admin", "active": "0"})
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


def test_brute_force_sign_in_is_rate_limited(app, desk_env):
    _, desk, clock = desk_env
    client = TestClient(app)
    csrf = csrf_of(client.get("/desk/signin").text)

    def attempt(username, password):
        return client.post("/desk/signin", data={"username": username, "password": password, "csrf_token": csrf},
                           follow_redirects=False)

    for n in range(5):
        response = attempt("maria", f"guess number {n}")
        assert response.status_code == 401 and "Wrong username or password" in response.text
    blocked = attempt("maria", STAFF_PASSWORD)  # even the right password, until the window passes
    assert blocked.status_code == 429 and "Too many sign-in attempts" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    # Per address too: guessing across many accounts from one client is stopped.
    for n in range(15):  # 5 + 15 = 20 attempts from this address in the window
        assert attempt(f"user{n}", "guess").status_code == 401
    assert attempt("tom", OTHER_PASSWORD).status_code == 429
    clock.now += 15 * 60 + 1
    assert attempt("maria", STAFF_PASSWORD).status_code == 303


def test_sign_out_and_deactivation_end_access(app, admin, desk):
    client = sign_in(app, "tom", OTHER_PASSWORD)
    assert client.get("/desk/api/tickets").status_code == 200
    response = admin.post("/desk/users/tom/active", data={"csrf_token": token(admin), "active": "0"},
                          follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/desk/api/tickets").status_code == 401
    admin.post("/desk/users/tom/active", data={"csrf_token": token(admin), "active": "1"})
    client = sign_in(app, "tom", OTHER_PASSWORD)
    client.post("/desk/signout", data={"csrf_token": token(client)})
    assert client.get("/desk/search", follow_redirects=False).status_code == 303


def test_sign_in_redirects_only_into_the_console(app):
    for target, expected in (("//evil.example/x", "/desk/search"), ("https://evil.example", "/desk/search"),
                             ("/desk/tickets", "/desk/tickets")):
        client = TestClient(app)
        csrf = csrf_of(client.get("/desk/signin").text)
        response = client.post("/desk/signin", data={"username": "maria", "password": STAFF_PASSWORD,
                                                     "csrf_token": csrf, "next": target}, follow_redirects=False)
        assert response.headers["location"] == expected


def test_pages_are_not_cached_and_load_nothing_from_other_hosts(staff):
    response = staff.get("/desk/search?q=botox+gym")
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "connect-src 'self';" in response.headers["content-security-policy"]
    assert not re.search(r'(src|href)="(https?:)?//', response.text.split("<ol class=\"results\">")[0])
    cookie = response.request.headers.get("cookie", "")
    assert "desk_session" in cookie


# ------------------------------------------------------------------------------------------- answer search


def test_search_ranks_threads_with_full_answers_and_a_ready_reply(staff):
    result = staff.get("/desk/api/search", params={"q": "can I go to the gym after botox?"}).json()
    assert result["triage"] is None
    top = result["results"][0]
    assert top["thread_id"] == "botox-exercise" and 0 < top["score"] <= 1.2
    assert [r["score"] for r in result["results"]] == sorted((r["score"] for r in result["results"]), reverse=True)
    assert len(top["answers"]) >= 2 and all(a["body"] and a["author"] for a in top["answers"])
    reply = top["reply"]
    assert "Sources:" in reply and "[1]" in reply and "https://demo-clinic.example/" in reply
    assert "not a diagnosis" in reply and "911" in reply
    page = staff.get("/desk/search", params={"q": "can I go to the gym after botox?"}).text
    assert 'data-copy="reply-1"' in page and "How long after Botox can I work out" in page


def test_search_filters_by_treatment(staff, desk):
    result = staff.get("/desk/api/search", params={"q": "when can I exercise again?", "treatment": "filler"}).json()
    assert result["results"]
    corpus = desk.assistant().corpus
    for r in result["results"]:
        treatments = corpus.get(r["thread_id"]).treatments
        assert "filler" in treatments or "general" in treatments
    assert staff.get("/desk/api/search", params={"q": "gym", "treatment": "botox!"}).status_code == 422


def test_a_red_flag_comes_first(staff):
    query = "i had lip filler an hour ago and now my throat feels tight and i can't breathe properly"
    result = staff.get("/desk/api/search", params={"q": query}).json()
    assert result["triage"]["urgency"] == "emergency" and result["triage"]["urgent"]
    assert "911" in result["triage"]["reply"]
    page = staff.get("/desk/search", params={"q": query}).text
    assert 'id="triage"' in page and page.index('id="triage"') < page.index('class="results"')


def test_empty_and_hostile_queries(staff):
    assert staff.get("/desk/api/search", params={"q": "  "}).status_code == 422
    page = staff.get("/desk/search", params={"q": "<script>alert(1)</script>" + "x" * 5000})
    assert page.status_code == 200 and "<script>alert(1)" not in page.text


# ------------------------------------------------------------------------------------------- handoff queue


def test_claim_note_and_resolve_a_ticket(app, staff, desk):
    transcript = [{"role": "patient", "text": "can I talk to someone?", "at": "2026-11-24T10:00:00+00:00"}]
    ticket_id = desk.store.create_ticket("Ann Lee", "+1 555 0100", True, "Bruise after filler", transcript)
    listed = staff.get("/desk/api/tickets").json()["tickets"]
    mine = next(t for t in listed if t["id"] == ticket_id)
    assert (mine["name"], mine["contact"], mine["status"], mine["transcript"]) == ("Ann Lee", "+1 555 0100", "new", transcript)

    csrf = token(staff)
    claimed = staff.post(f"/desk/api/tickets/{ticket_id}/claim", headers={"X-CSRF-Token": csrf}).json()
    assert claimed["status"] == "claimed" and claimed["assignee"] == "maria"
    tom = sign_in(app, "tom", OTHER_PASSWORD)
    tom_csrf = token(tom)
    again = tom.post(f"/desk/api/tickets/{ticket_id}/claim", headers={"X-CSRF-Token": tom_csrf})
    assert again.status_code == 409 and "claimed by maria" in again.json()["error"]
    assert tom.post(f"/desk/api/tickets/{ticket_id}/resolve", headers={"X-CSRF-Token": tom_csrf}).status_code == 409

    noted = staff.post(f"/desk/api/tickets/{ticket_id}/notes", headers={"X-CSRF-Token": csrf},
                       data={"text": "Called, booked a check on Friday."}).json()
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


# ------------------------------------------------------------------------------------------- unanswered, drafts, review


def test_unanswered_questions_are_grouped_by_similarity(staff, desk):
    for question in ("Can I dye my hair after Botox?", "Can I dye my hair after Botox?",
                     "is it ok to colour my hair after botox", "Can I get a spray tan after a chemical peel?"):
        desk.store.record_unanswered(question, None)
    groups = staff.get("/desk/api/unanswered").json()["groups"]
    hair = next(g for g in groups if g["text"] == "Can I dye my hair after Botox?")
    assert hair["count"] == 3 and {w["text"] for w in hair["wordings"]} == {
        "Can I dye my hair after Botox?", "is it ok to colour my hair after botox"}
    tan = next(g for g in groups if "spray tan" in g["text"])
    assert tan["count"] == 1 and set(tan["ids"]).isdisjoint(hair["ids"])
    page = staff.get("/desk/unanswered").text
    assert f'/desk/drafts/new?ids={",".join(map(str, hair["ids"]))}' in page


def test_write_review_and_publish_an_answer(app, staff, admin, desk):
    for question in ("Can I use a sunbed after microneedling?", "can I use a sunbed after microneedling",
                     "is a sunbed ok after microneedling"):
        desk.store.record_unanswered(question, "microneedling")
    group = next(g for g in staff.get("/desk/api/unanswered").json()["groups"] if "sunbed" in g["text"])
    ids = ",".join(map(str, group["ids"]))
    form = staff.get(f"/desk/drafts/new?ids={ids}").text
    assert 'value="Can I use a sunbed after microneedling?"' in form
    assert 'value="microneedling" checked' in form

    missing = staff.post("/desk/drafts", data={"csrf_token": token(staff), "ids": ids, "question": group["text"]})
    assert missing.status_code == 422 and "the clinician&#39;s answer" in missing.text

    before = read_meta(desk.settings.index_dir).built_at
    created = staff.post("/desk/drafts", follow_redirects=False, data={
        "csrf_token": token(staff), "ids": ids, "question": group["text"], "treatments": "microneedling",
        "body": "Avoid sunbeds for two weeks after microneedling, because the skin burns easily while it heals.",
        "author_name": "Dr. Test Writer", "author_credentials": "MD", "author_specialty": "Dermatologist",
        "author_location": "Portland, OR", "url": "",
    })
    assert created.status_code == 303
    thread_id = created.headers["location"].split("/desk/drafts/")[1].split("?")[0]
    assert thread_id == "can-i-use-a-sunbed-after-microneedling"
    written = yaml.safe_load((desk.settings.corpus_dir / f"{thread_id}.yml").read_text())
    assert written["status"] == "draft" and written["treatments"] == ["microneedling"]
    assert read_meta(desk.settings.index_dir).built_at > before  # the index follows the corpus
    assert all(g["text"] != group["text"] for g in staff.get("/desk/api/unanswered").json()["groups"])
    assert desk.store.unanswered(status="drafted")[0].thread_id == thread_id
    assert thread_id in staff.get("/desk/drafts").text

    # Staff cannot publish; drafts are not served.
    assert staff.post(f"/desk/drafts/{thread_id}/publish", data={"csrf_token": token(staff)}).status_code == 403
    hits = admin.get("/desk/api/search", params={"q": "can I go on a sunbed after microneedling?"}).json()["results"]
    assert thread_id not in [r["thread_id"] for r in hits]

    published = admin.post(f"/desk/drafts/{thread_id}/publish", data={"csrf_token": token(admin)},
                           follow_redirects=False)
    assert published.status_code == 303 and "bot=not-reloaded" in published.headers["location"]
    notice = admin.get(published.headers["location"]).text
    assert "could not be told to reload" in notice
    written = yaml.safe_load((desk.settings.corpus_dir / f"{thread_id}.yml").read_text())
    assert written["status"] == "published" and written["reviewed_by"] == "boss"
    assert written["reviewed_at"] == dt.date.today()
    hits = admin.get("/desk/api/search", params={"q": "can I go on a sunbed after microneedling?"}).json()["results"]
    assert hits[0]["thread_id"] == thread_id and "Dr. Test Writer" in hits[0]["reply"]
    again = admin.post(f"/desk/drafts/{thread_id}/publish", data={"csrf_token": token(admin)})
    assert again.status_code == 409 and "already published" in again.text


def test_dismissing_a_group(staff, desk):
    desk.store.record_unanswered("what is the capital of peru", None)
    group = next(g for g in staff.get("/desk/api/unanswered").json()["groups"] if "peru" in g["text"])
    response = staff.post("/desk/unanswered/dismiss", data={"csrf_token": token(staff), "ids": ",".join(map(str, group["ids"]))},
                          follow_redirects=False)
    assert response.status_code == 303
    assert all("peru" not in g["text"] for g in staff.get("/desk/api/unanswered").json()["groups"])
    bad = staff.post("/desk/unanswered/dismiss", data={"csrf_token": token(staff), "ids": "1,x"})
    assert bad.status_code == 422


def test_discarding_a_draft(admin, desk):
    created = admin.post("/desk/drafts", follow_redirects=False, data={
        "csrf_token": token(admin), "question": "Can I wear contact lenses after eyelid surgery?",
        "treatments": "blepharoplasty", "body": "Wait two weeks before contact lenses.\r\n\r\nAsk at your check-up.",
        "author_name": "Dr. Lens"})
    thread_id = created.headers["location"].split("/desk/drafts/")[1].split("?")[0]
    written = (desk.settings.corpus_dir / f"{thread_id}.yml").read_bytes()
    assert b"\r" not in written
    assert yaml.safe_load(written)["answers"][0]["body"] == "Wait two weeks before contact lenses.\n\nAsk at your check-up."
    response = admin.post(f"/desk/drafts/{thread_id}/discard", data={"csrf_token": token(admin)}, follow_redirects=False)
    assert response.status_code == 303 and not (desk.settings.corpus_dir / f"{thread_id}.yml").exists()
    refused = admin.post("/desk/drafts/botox-exercise/discard", data={"csrf_token": token(admin)})
    assert refused.status_code == 409 and (desk.settings.corpus_dir / "botox-exercise.yml").exists()


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
    response = admin.post("/desk/users", data={"csrf_token": token(admin), "username": "nina", "role": "staff",
                                               "password": "nina password 1"}, follow_redirects=False)
    assert response.status_code == 303
    duplicate = admin.post("/desk/users", data={"csrf_token": token(admin), "username": "nina", "role": "staff",
                                                "password": "nina password 1"})
    assert duplicate.status_code == 422 and "already exists" in duplicate.text
    short = admin.post("/desk/users", data={"csrf_token": token(admin), "username": "kim", "role": "staff",
                                            "password": "short"})
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
