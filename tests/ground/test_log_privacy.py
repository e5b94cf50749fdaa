"""No secrets or PII in logs: a whole journey through the app at DEBUG level (HR API,
candidate pages, staff sign-in, a conflict, and a database error inside a handler) leaves
no API key, link token, password, session, name, e-mail or answer text in any log line."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from litestar import get
from litestar.params import FromPath
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.ground.logs import JsonFormatter
from service.web.database import Conn
from tests.conftest import make_settings
from tests.delivery.conftest import begin
from tests.results.factories import PASSWORD, make_user, org_slug
from tests.web.test_error_shape import assert_problem

SECRET_ANSWER = "Patient Yolanda Ximenez-Quarrie DOB 1961-02-03"
LEAKED_VALUE = "MRN-884422-Ximenez"


class Captured(logging.Handler):
    """Every record of the server side, formatted exactly as production writes it (the test
    client's own httpx loggers are not the service's)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(("httpx", "httpcore")):
            self.lines.append(self.format(record))


@get("/test-only/leak/{how:str}/{value:str}", include_in_schema=False)
async def leak(how: FromPath[str], value: FromPath[str], conn: Conn) -> int:
    """A handler whose database errors quote a value: PostgreSQL's own (a bug: 500),
    asyncpg's for an argument it cannot encode (refused input: 422), and a bug of our own
    raised while handling PostgreSQL's (500, the database error in its chain)."""
    if how == "server":
        result: int = await conn.fetchval("SELECT chartready_test_leak($1)", value)
    elif how == "client":
        result = await conn.fetchval("SELECT $1::int", value)
    else:
        try:
            result = await conn.fetchval("SELECT chartready_test_leak($1)", value)
        except asyncpg.PostgresError as error:
            raise RuntimeError("could not check the value") from error
    return result


@pytest.fixture
def logs() -> Iterator[Captured]:
    """Capture at DEBUG from the root logger down; the root logger is restored afterwards
    (the app under test reconfigures it)."""
    handler = Captured()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.fixture
async def debug_client(db_url: str, logs: Captured) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """The app at DEBUG level, with one buggy route added."""
    app = create_app(make_settings(log_level="DEBUG", database_url=db_url))
    app.register(leak)
    logging.getLogger().addHandler(logs)  # create_app replaced the root handlers
    async with AsyncTestClient(app=app) as client:
        yield client


async def test_a_whole_journey_logs_no_secret_or_personal_data(
    debug_client: AsyncTestClient,
    logs: Captured,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
    org_id: uuid.UUID,
    api_key: str,
) -> None:
    client = debug_client
    await pool.execute("""CREATE FUNCTION chartready_test_leak(t text) RETURNS int
                          LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'bad value %', t; END $$""")
    api = {"Authorization": f"Bearer {api_key}"}
    person = {
        "given_name": "Yolanda",
        "family_name": "Ximenez-Quarrie",
        "email": "yolanda.xq@example.org",
        "external_id": "ATS-77-XQ",
    }
    created = await client.post("/api/v1/candidates", headers=api, json=person)
    assert created.status_code == 201, created.text
    assert_problem(await client.post("/api/v1/candidates", headers=api, json=person), 409)
    invited = await client.post(
        "/api/v1/invitations",
        headers=api,
        json={"candidate_id": created.json()["id"], "assessments": ["communication"]},
    )
    assert invited.status_code == 201, invited.text
    token = invited.json()["url"].rsplit("/", 1)[-1]
    item_url = await begin(client, token, "communication")
    page = await client.get(item_url)
    item_id = page.text.split('data-item-id="', 1)[1].split('"', 1)[0]
    saved = await client.post(
        f"/take/{token}/communication/answers",
        json={"item_id": item_id, "answer": SECRET_ANSWER, "seq": 1, "tab_id": "tab-privacy-1"},
    )
    assert saved.status_code in (200, 422), saved.text  # stored, or refused for its shape
    await make_user(pool, org_id, "admin", "admin.xq@example.org")
    slug = await org_slug(pool, org_id)
    signed = await client.post(
        "/staff/session",
        json={"organization": slug, "email": "admin.xq@example.org", "password": PASSWORD},
    )
    assert signed.status_code == 201
    session = signed.cookies.get("cr_session") or client.cookies.get("cr_session")
    assert_problem(
        await client.post(
            "/staff/session",
            json={"organization": slug, "email": "admin.xq@example.org", "password": "Wr0ng-Pa55"},
        ),
        401,
    )
    broken = {
        how: await client.get(f"/test-only/leak/{how}/{LEAKED_VALUE}")
        for how in ("server", "client", "wrapped")
    }
    assert_problem(broken["server"], 500)  # a bug, not "database unavailable"
    assert_problem(broken["client"], 422)
    assert_problem(broken["wrapped"], 500)

    text = "\n".join(logs.lines)
    bugs = [line for line in logs.lines if "unhandled error" in line]
    assert len(bugs) == 2  # each bug is logged, with the id the caller can quote
    for how, line in zip(("server", "wrapped"), bugs, strict=True):
        assert broken[how].json()["request_id"] in line, how
        assert "in leak" in line  # the trace shows where
    assert "RaiseError (SQLSTATE P0001)" in bugs[0]
    assert "RuntimeError: could not check the value" in bugs[1]  # our own message is kept
    assert "RaiseError: (message withheld)" in bugs[1]  # the database's is not
    assert len(logs.lines) > 1
    secrets = [
        api_key,
        token,
        PASSWORD,
        "Wr0ng-Pa55",
        session,
        signed.json()["csrf_token"],
        "Yolanda",
        "Ximenez",
        "yolanda.xq@example.org",
        "ATS-77-XQ",
        "admin.xq@example.org",
        SECRET_ANSWER,
        LEAKED_VALUE,
    ]
    for secret in secrets:
        assert secret and secret not in text, f"{secret!r} appeared in the logs"
