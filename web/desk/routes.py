"""The console's pages (/desk/...) and JSON API (/desk/api/...).

Every route except the sign-in page needs a signed-in session: pages without one redirect to sign-in,
the API answers 401. Every POST carries the session's CSRF token (form field `csrf_token` or header
`X-CSRF-Token`). Admin-only routes answer 403 to staff."""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.templating import Jinja2Templates

from bot.config import Settings
from bot.corpus import TREATMENTS, CorpusError
from bot.treatments import label
from web.desk import charts, services
from web.desk.runtime import AssistantUnavailable, Desk
from web.desk.security import COOKIE, COOKIE_PATH, SecretError, Session, csrf_matches

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals["treatment_label"] = label
log = logging.getLogger("aftercare.desk")

router = APIRouter(prefix="/desk")
_desk_lock = threading.Lock()
# Staff pages show patient details: never cached, never framed, and they talk only to this server.
DESK_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
NO_STORE = {"Cache-Control": "no-store", "Content-Security-Policy": DESK_CSP, "X-Frame-Options": "DENY"}


class Refusal(Exception):
    """A request the console refuses: 401 (no session), 403 (role or CSRF), 404, 409, 422 or 429."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass(frozen=True)
class Actor:
    """The signed-in user making a request."""

    username: str
    role: str
    session: Session

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def get_desk_of(app) -> Desk:
    """The app's console runtime, made on first use from the app's settings."""
    desk = getattr(app.state, "desk", None)
    if desk is None:
        with _desk_lock:
            desk = getattr(app.state, "desk", None)
            if desk is None:
                settings = getattr(app.state, "settings", None) or Settings.from_env()
                desk = app.state.desk = Desk(settings)
    return desk


def get_desk(request: Request) -> Desk:
    return get_desk_of(request.app)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/desk/api/")


def _session(request: Request) -> Session | None:
    return get_desk(request).sessions.read(request.cookies.get(COOKIE))


async def signed_in(request: Request) -> Actor:
    """The signed-in, active user; a 401 refusal otherwise."""
    session = _session(request)
    if session is None or session.username is None:
        raise Refusal(401, "Sign in to use the front desk console.")
    desk = get_desk(request)
    user = await run_in_threadpool(desk.store.user, session.username)
    if user is None or not user.active:
        raise Refusal(401, "Your account is no longer active; sign in again.")
    if session.version != user.session_version:  # signed out, or the password changed, since it was issued
        raise Refusal(401, "Your session has ended; sign in again.")
    return Actor(user.username, user.role, session)


async def admin(actor: Actor = Depends(signed_in)) -> Actor:
    if not actor.is_admin:
        raise Refusal(403, "Only an admin can do this.")
    return actor


async def csrf_checked(request: Request, actor: Actor = Depends(signed_in)) -> Actor:
    await _check_csrf(request, actor.session)
    return actor


async def admin_csrf_checked(request: Request, actor: Actor = Depends(admin)) -> Actor:
    await _check_csrf(request, actor.session)
    return actor


async def _check_csrf(request: Request, session: Session | None) -> None:
    token = request.headers.get("x-csrf-token")
    if token is None and "form" in request.headers.get("content-type", ""):
        token = (await request.form()).get("csrf_token")
    if not csrf_matches(session, token if isinstance(token, str) else None):
        raise Refusal(403, "This form has expired or did not come from the console. Reload the page and try again.")


def page(request: Request, name: str, context: dict, actor: Actor | None = None, status: int = 200) -> Response:
    session = actor.session if actor else _session(request)
    context = {"actor": actor, "csrf": session.csrf if session else "", **context}
    return templates.TemplateResponse(request, name, context, status_code=status, headers=NO_STORE)


def api(data, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=NO_STORE)


async def form_text(request: Request, name: str, limit: int = 5000) -> str:
    value = (await request.form()).get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


async def handle_refusal(request: Request, exc: Refusal) -> Response:
    if is_api(request):
        return JSONResponse({"error": exc.message}, status_code=exc.status, headers={**NO_STORE, **exc.headers})
    if exc.status == 401:
        # Back to the page after sign-in; a refused form post goes back to the console's start page.
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        query = f"?next={quote(target)}" if request.method == "GET" else ""
        return RedirectResponse(f"/desk/signin{query}", status_code=303, headers=NO_STORE)
    session = _session(request)
    actor = None
    if session and session.username:
        user = await run_in_threadpool(get_desk(request).store.user, session.username)
        current = user and user.active and user.session_version == session.version
        actor = Actor(user.username, user.role, session) if current else None
    return page(request, "error.html", {"message": exc.message, "status": exc.status}, actor, exc.status)


def install(app: FastAPI) -> None:
    """Add the console to the web app: its routes, its static files, its refusal handler, and a start-up step
    that refuses to start on an unusable signing secret."""
    app.include_router(router)
    app.mount("/desk/static", StaticFiles(directory=HERE / "static"), name="desk-static")
    app.add_exception_handler(Refusal, handle_refusal)
    serve = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(started):
        try:
            get_desk_of(started)
        except SecretError as exc:
            log.critical("console secret unusable; not starting", extra={"reason": str(exc)})
            raise
        async with serve(started) as state:
            yield state

    app.router.lifespan_context = lifespan


# ------------------------------------------------------------------------------------------- sign-in


def _set_session(response: Response, desk: Desk, session: Session) -> None:
    response.set_cookie(
        COOKIE,
        desk.sessions.dump(session),
        max_age=desk.sessions.max_age,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=desk.secure_cookies,
    )


def _wait_words(seconds: int) -> str:
    return f"{seconds} seconds" if seconds < 90 else f"{round(seconds / 60)} minutes"


def _safe_next(target: str | None) -> str:
    # Only back into the console: never an absolute URL or a scheme-relative one (open redirect).
    if target and target.startswith("/desk") and not target.startswith("//") and "\\" not in target:
        return target
    return "/desk/search"


@router.get("/signin")
async def signin_page(request: Request, next: str | None = None) -> Response:
    desk = get_desk(request)
    session = _session(request) or desk.sessions.new(None)
    response = page(request, "signin.html", {"next": _safe_next(next), "error": None, "csrf": session.csrf})
    _set_session(response, desk, session)
    return response


@router.post("/signin")
async def signin(request: Request) -> Response:
    desk = get_desk(request)
    session = _session(request)
    form = await request.form()
    username = str(form.get("username") or "").strip().lower()[:64]
    password = str(form.get("password") or "")[:1024]
    target = _safe_next(str(form.get("next") or ""))
    token = form.get("csrf_token")
    if not csrf_matches(session, token if isinstance(token, str) else None):
        raise Refusal(403, "The sign-in form has expired. Reload the page and try again.")
    ip = desk.client_address(request.client.host if request.client else None, request.headers.get("x-forwarded-for"))
    wait = desk.limiter.retry_after(username, ip)
    if wait:
        log.warning("sign-in throttled", extra={"ip": ip, "retry_after": wait})
        response = page(
            request,
            "signin.html",
            {
                "next": target,
                "csrf": session.csrf,
                "error": f"Too many failed sign-ins. Try again in {_wait_words(wait)}.",
            },
            status=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    user = await run_in_threadpool(desk.store.authenticate, username, password)
    desk.limiter.record(username, ip, user is not None)
    if user is None:
        log.info("sign-in failed", extra={"ip": ip})
        return page(
            request,
            "signin.html",
            {"next": target, "csrf": session.csrf, "error": "Wrong username or password."},
            status=401,
        )
    log.info("signed in", extra={"user": user.username})
    response = RedirectResponse(target, status_code=303, headers=NO_STORE)
    # A new token (no session fixation), under the account's current session version.
    _set_session(response, desk, desk.sessions.new(user.username, user.session_version))
    return response


@router.post("/signout")
async def signout(request: Request, actor: Actor = Depends(csrf_checked)) -> Response:
    """End the account's sessions server-side (a copied cookie stops working too), then drop the cookie."""
    desk = get_desk(request)
    await _store_call(request, "end_sessions", actor.username)
    log.info("signed out", extra={"user": actor.username})
    response = RedirectResponse("/desk/signin", status_code=303, headers=NO_STORE)
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict", secure=desk.secure_cookies)
    return response


@router.get("")
@router.get("/")
async def home(actor: Actor = Depends(signed_in)) -> Response:
    return RedirectResponse("/desk/search", status_code=303)


# ------------------------------------------------------------------------------------------- answer search


def _treatment_param(value: str | None) -> str | None:
    if not value:
        return None
    if value not in TREATMENTS:
        raise Refusal(422, f"Unknown treatment {value[:40]!r}; choose one from the list.")
    return value


async def _search(request: Request, q: str, treatment: str | None) -> tuple[dict | None, str | None]:
    if not q.strip():
        return None, None
    desk = get_desk(request)
    try:
        assistant = await run_in_threadpool(desk.assistant)
    except AssistantUnavailable as exc:
        return None, f"Answer search is not available: {exc}"
    return await run_in_threadpool(services.search, assistant, q, treatment), None


# The patient's question travels in a POST body, never in the URL, which access logs, proxies and browser
# history keep: a query string on these routes is ignored.
@router.get("/search")
async def search_page(request: Request, actor: Actor = Depends(signed_in)) -> Response:
    return page(
        request,
        "search.html",
        {"q": "", "treatment": None, "treatments": TREATMENTS, "result": None, "error": None},
        actor,
    )


@router.post("/search")
async def search_post(request: Request, actor: Actor = Depends(csrf_checked)) -> Response:
    q, treatment = await form_text(request, "q", services.MAX_QUERY_CHARS), await form_text(request, "treatment")
    chosen = _treatment_param(treatment)
    result, error = await _search(request, q, chosen)
    return page(
        request,
        "search.html",
        {"q": q, "treatment": chosen, "treatments": TREATMENTS, "result": result, "error": error},
        actor,
    )


@router.post("/api/search")
async def search_api(request: Request, actor: Actor = Depends(csrf_checked)) -> Response:
    """JSON `{"q": ..., "treatment": ...}` (or form fields) with the X-CSRF-Token header."""
    if "json" in request.headers.get("content-type", ""):
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise Refusal(422, 'Send a JSON object: {"q": "the patient\'s question", "treatment": ""}.')
        q, treatment = body.get("q"), body.get("treatment")
    else:
        q, treatment = await form_text(request, "q", services.MAX_QUERY_CHARS), await form_text(request, "treatment")
    if not isinstance(q, str) or not q.strip():
        raise Refusal(422, "Type the patient's question in `q`.")
    chosen = _treatment_param(treatment if isinstance(treatment, str) else None)
    result, error = await _search(request, q.strip()[: services.MAX_QUERY_CHARS], chosen)
    return api({"error": error}, 503) if error else api(result)


# ------------------------------------------------------------------------------------------- handoff queue


def _ticket_json(ticket) -> dict:
    return {
        "id": ticket.id,
        "status": ticket.status,
        "name": ticket.name,
        "contact": ticket.contact,
        "consent": ticket.consent,
        "question": ticket.question,
        "transcript": ticket.transcript,
        "assignee": ticket.assignee,
        "created_at": ticket.created_at.isoformat(),
        "claimed_at": ticket.claimed_at.isoformat() if ticket.claimed_at else None,
        "resolved_at": ticket.resolved_at.isoformat() if ticket.resolved_at else None,
        "notes": [{"author": n.author, "text": n.text, "at": n.created_at.isoformat()} for n in ticket.notes],
    }


async def _store_call(request: Request, method: str, *args):
    from store import Conflict, NotFound, StoreError

    desk = get_desk(request)
    try:
        return await run_in_threadpool(getattr(desk.store, method), *args)
    except NotFound as exc:
        raise Refusal(404, str(exc)) from None
    except Conflict as exc:
        raise Refusal(409, str(exc)) from None
    except StoreError as exc:
        raise Refusal(422, str(exc)) from None


@router.get("/tickets")
async def tickets_page(request: Request, actor: Actor = Depends(signed_in)) -> Response:
    return page(request, "tickets.html", {}, actor)


TICKET_PAGE = 50  # tickets per page of the queue; `limit` may ask for up to MAX_TICKET_PAGE
MAX_TICKET_PAGE = 200


@router.get("/api/tickets")
async def tickets_api(
    request: Request, status: str = "open", before: str = "", limit: str = "", actor: Actor = Depends(signed_in)
) -> Response:
    """One page of the queue, newest first; `next` is the `before` of the following page (null on the last)."""
    statuses = {"open": ("new", "claimed"), "resolved": ("resolved",), "all": None}
    if status not in statuses:
        raise Refusal(422, "status: one of open, resolved, all")
    try:
        older_than = int(before) if before else None
        size = int(limit) if limit else TICKET_PAGE
    except ValueError:
        raise Refusal(422, "before and limit: whole numbers") from None
    if not 1 <= size <= MAX_TICKET_PAGE:
        raise Refusal(422, f"limit: 1 to {MAX_TICKET_PAGE}")
    tickets = await _store_call(request, "tickets", statuses[status], size + 1, older_than)
    more = len(tickets) > size
    tickets = tickets[:size]
    new = await _store_call(request, "count_tickets", ("new",))
    return api(
        {
            "tickets": [_ticket_json(t) for t in tickets],
            "next": tickets[-1].id if more else None,
            "new": new,
            "me": actor.username,
        }
    )


@router.get("/api/tickets/{ticket_id}")
async def ticket_api(request: Request, ticket_id: int, actor: Actor = Depends(signed_in)) -> Response:
    return api(_ticket_json(await _store_call(request, "ticket", ticket_id)))


@router.post("/api/tickets/{ticket_id}/claim")
async def claim_api(request: Request, ticket_id: int, actor: Actor = Depends(csrf_checked)) -> Response:
    return api(_ticket_json(await _store_call(request, "claim_ticket", ticket_id, actor.username)))


@router.post("/api/tickets/{ticket_id}/resolve")
async def resolve_api(request: Request, ticket_id: int, actor: Actor = Depends(csrf_checked)) -> Response:
    return api(_ticket_json(await _store_call(request, "resolve_ticket", ticket_id, actor.username)))


@router.post("/api/tickets/{ticket_id}/notes")
async def note_api(request: Request, ticket_id: int, actor: Actor = Depends(csrf_checked)) -> Response:
    text = await form_text(request, "text")
    return api(_ticket_json(await _store_call(request, "add_ticket_note", ticket_id, actor.username, text)))


@router.get("/tickets/export.csv")
async def tickets_export(request: Request, actor: Actor = Depends(admin)) -> Response:
    rows = await _store_call(request, "export_tickets")
    out = io.StringIO()
    columns = [
        "id",
        "status",
        "name",
        "contact",
        "consent",
        "assignee",
        "created_at",
        "claimed_at",
        "resolved_at",
        "messages",
        "notes",
    ]
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": 'attachment; filename="tickets.csv"'},
    )


# ------------------------------------------------------------------------------------------- unanswered


async def _groups(request: Request) -> list[services.QuestionGroup]:
    desk = get_desk(request)
    rows = await _store_call(request, "unanswered", "open", 1000)
    if not rows:
        return []
    return await run_in_threadpool(
        desk.question_groups.groups, rows, desk.embedder, desk.settings.console.desk_group_similarity
    )


@router.get("/unanswered")
async def unanswered_page(request: Request, actor: Actor = Depends(signed_in)) -> Response:
    return page(request, "unanswered.html", {"groups": await _groups(request)}, actor)


@router.get("/api/unanswered")
async def unanswered_api(request: Request, actor: Actor = Depends(signed_in)) -> Response:
    groups = await _groups(request)
    return api(
        {
            "groups": [
                {
                    "ids": g.ids,
                    "text": g.text,
                    "count": g.count,
                    "last_asked": g.last_asked.isoformat(),
                    "treatment": g.treatment,
                    "wordings": [{"text": t, "count": n} for t, n in g.wordings],
                }
                for g in groups
            ]
        }
    )


def _ids(raw: str) -> list[int]:
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise Refusal(422, "ids: a comma-separated list of question numbers") from None
    return ids[:1000]


@router.post("/unanswered/dismiss")
async def dismiss(request: Request, actor: Actor = Depends(csrf_checked)) -> Response:
    ids = _ids(await form_text(request, "ids", 20000))
    await _store_call(request, "set_unanswered_status", ids, "dismissed")
    return RedirectResponse("/desk/unanswered", status_code=303)


# ------------------------------------------------------------------------------------------- drafts and review


@router.get("/drafts/new")
async def draft_form(request: Request, ids: str = "", actor: Actor = Depends(signed_in)) -> Response:
    wanted = set(_ids(ids))
    rows = [r for r in await _store_call(request, "unanswered", "open", 1000) if r.id in wanted]
    rows.sort(key=lambda r: (-r.count, -r.last_asked.timestamp()))  # the wording that leads its group
    values = {
        "question": rows[0].text if rows else "",
        "treatments": [rows[0].treatment] if rows and rows[0].treatment else [],
    }
    return page(
        request,
        "draft_new.html",
        {
            "values": values,
            "ids": ",".join(str(r.id) for r in rows),
            "wordings": rows,
            "treatments": TREATMENTS,
            "error": None,
        },
        actor,
    )


@router.post("/drafts")
async def draft_create(request: Request, actor: Actor = Depends(csrf_checked)) -> Response:
    desk = get_desk(request)
    form = await request.form()
    values = {
        k: str(form.get(k) or "").strip()[:5000]
        for k in ("question", "body", "author_name", "author_credentials", "author_specialty", "author_location", "url")
    }
    values["treatments"] = [t for t in form.getlist("treatments") if t in TREATMENTS]
    ids = _ids(str(form.get("ids") or ""))
    missing = [
        name
        for name, key in (
            ("the question", "question"),
            ("the clinician's answer", "body"),
            ("the clinician's name", "author_name"),
        )
        if not values[key]
    ]
    error = f"Please fill in {', '.join(missing)}." if missing else None
    if not error:
        author = {
            "name": values["author_name"],
            "credentials": values["author_credentials"],
            "specialty": values["author_specialty"],
            "location": values["author_location"],
        }

        def write():
            with desk.corpus_lock:
                thread = services.new_draft(
                    desk.settings,
                    values["question"],
                    values["treatments"],
                    values["body"],
                    author,
                    values["url"] or None,
                    actor.username,
                )
                # The corpus changed: keep the index in step so no server refuses it at its next start.
                services.rebuild_index(desk.settings, desk.embedder)
                return thread

        try:
            thread = await run_in_threadpool(write)
        except (services.DraftError, CorpusError, OSError) as exc:
            error = str(exc)
        else:
            if ids:
                await _store_call(request, "set_unanswered_status", ids, "drafted", thread.id)
            log.info("draft written", extra={"thread_id": thread.id, "user": actor.username})
            return RedirectResponse(f"/desk/drafts/{thread.id}?written=1", status_code=303)
    return page(
        request,
        "draft_new.html",
        {"values": values, "ids": ",".join(map(str, ids)), "wordings": [], "treatments": TREATMENTS, "error": error},
        actor,
        422,
    )


def _load_drafts(desk: Desk):
    try:
        return services.drafts(desk.settings), None
    except CorpusError as exc:
        return [], str(exc)


@router.get("/drafts")
async def drafts_page(request: Request, actor: Actor = Depends(signed_in)) -> Response:
    threads, error = await run_in_threadpool(_load_drafts, get_desk(request))
    return page(request, "drafts.html", {"threads": threads, "error": error}, actor)


@router.get("/drafts/{thread_id}")
async def draft_page(
    request: Request,
    thread_id: str,
    written: str = "",
    published: str = "",
    bot: str = "",
    actor: Actor = Depends(signed_in),
) -> Response:
    desk = get_desk(request)
    try:
        corpus = await run_in_threadpool(services.load_corpus, desk.settings.corpus.corpus_dir)
    except CorpusError as exc:
        raise Refusal(409, str(exc)) from None
    thread = corpus.get(thread_id)
    if thread is None:
        raise Refusal(404, f"There is no thread {thread_id[:80]!r}.")
    return page(
        request,
        "draft.html",
        {"thread": thread, "written": bool(written), "published": bool(published), "bot": bot},
        actor,
    )


@router.post("/drafts/{thread_id}/publish")
async def draft_publish(request: Request, thread_id: str, actor: Actor = Depends(admin_csrf_checked)) -> Response:
    desk = get_desk(request)

    def publish():
        with desk.corpus_lock:
            thread = services.publish(desk.settings, thread_id, actor.username)
            services.rebuild_index(desk.settings, desk.embedder)
            desk.reload_assistant()
            return thread

    try:
        await run_in_threadpool(publish)
    except (services.DraftError, CorpusError) as exc:
        raise Refusal(409, str(exc)) from None
    reloaded, message = await run_in_threadpool(services.ask_bot_to_reload, desk.settings)
    log.info("thread published", extra={"thread_id": thread_id, "user": actor.username, "bot_reloaded": reloaded})
    if not reloaded:
        log.warning("bot not reloaded", extra={"reason": message})
    query = urlencode({"published": 1, "bot": "reloaded" if reloaded else "not-reloaded"})
    return RedirectResponse(f"/desk/drafts/{thread_id}?{query}", status_code=303)


@router.post("/drafts/{thread_id}/discard")
async def draft_discard(request: Request, thread_id: str, actor: Actor = Depends(admin_csrf_checked)) -> Response:
    desk = get_desk(request)

    def discard():
        with desk.corpus_lock:
            services.discard(desk.settings, thread_id)
            services.rebuild_index(desk.settings, desk.embedder)

    try:
        await run_in_threadpool(discard)
    except (services.DraftError, CorpusError) as exc:
        raise Refusal(409, str(exc)) from None
    return RedirectResponse("/desk/drafts", status_code=303)


# ------------------------------------------------------------------------------------------- feedback


@router.get("/feedback")
async def feedback_page(request: Request, actor: Actor = Depends(signed_in)) -> Response:
    desk = get_desk(request)
    per_thread = await _store_call(request, "feedback_by_thread")
    days = await _store_call(request, "feedback_by_day", 30)
    try:
        corpus = await run_in_threadpool(services.load_corpus, desk.settings.corpus.corpus_dir)
        questions = {t.id: t.question for t in corpus.threads}
    except CorpusError:
        questions = {}
    total = sum(r.total for r in per_thread)
    helpful = sum(r.helpful for r in per_thread)
    return page(
        request,
        "feedback.html",
        {
            "rows": per_thread,
            "questions": questions,
            "least": [r for r in per_thread if r.unhelpful][:5],
            "total": total,
            "rate": helpful / total if total else None,
            "chart": charts.feedback_svg(days),
        },
        actor,
    )


@router.get("/api/feedback")
async def feedback_api(request: Request, actor: Actor = Depends(signed_in)) -> Response:
    per_thread = await _store_call(request, "feedback_by_thread")
    days = await _store_call(request, "feedback_by_day", 30)
    return api(
        {
            "threads": [
                {"thread_id": r.thread_id, "helpful": r.helpful, "unhelpful": r.unhelpful, "rate": round(r.rate, 4)}
                for r in per_thread
            ],
            "days": [{"day": d.day.isoformat(), "helpful": d.helpful, "unhelpful": d.unhelpful} for d in days],
        }
    )


# ------------------------------------------------------------------------------------------- users (admin)


@router.get("/users")
async def users_page(request: Request, actor: Actor = Depends(admin)) -> Response:
    users = await _store_call(request, "users")
    return page(request, "users.html", {"users": users, "error": None}, actor)


@router.post("/users")
async def users_add(request: Request, actor: Actor = Depends(admin_csrf_checked)) -> Response:
    from store import StoreError

    form = await request.form()
    desk = get_desk(request)
    try:
        await run_in_threadpool(
            desk.store.add_user,
            str(form.get("username") or ""),
            str(form.get("password") or ""),
            str(form.get("role") or ""),
        )
    except StoreError as exc:
        users = await _store_call(request, "users")
        return page(request, "users.html", {"users": users, "error": str(exc)}, actor, 422)
    return RedirectResponse("/desk/users", status_code=303)


@router.post("/users/{username}/active")
async def users_active(request: Request, username: str, actor: Actor = Depends(admin_csrf_checked)) -> Response:
    active = await form_text(request, "active") == "1"
    if username == actor.username and not active:
        raise Refusal(409, "You cannot deactivate your own account.")
    await _store_call(request, "set_active", username, active)
    return RedirectResponse("/desk/users", status_code=303)
