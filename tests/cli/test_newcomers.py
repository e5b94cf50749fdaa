"""What a newcomer meets first (issue 10): the test command's npm, the demo banner, two demo
raters with plausible written answers, and a quiet install."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import asyncpg
from packaging.licenses import canonicalize_license_expression
from packaging.requirements import Requirement

from service.assessments.content import load_content
from service.assessments.items import ConstructedResponseItem
from service.auth.passwords import PasswordChecker
from service.auth.staff import login
from service.cli.demo import (
    DEMO_COORDINATOR_EMAIL,
    DEMO_RATER_PASSWORD,
    DEMO_STAFF_PASSWORD,
    DEMO_VIEWER_EMAIL,
    DemoCohort,
    demo_banner,
    seed_demo,
    seed_demo_cohort,
)
from service.cli.demo_writing import DEMO_RESPONSES
from service.readiness.predict import BandThresholds

ROOT = Path(__file__).resolve().parents[2]


def test_bootstrap_installs_npm_when_it_is_missing(tmp_path: Path) -> None:
    """The test command needs npm (axe-core): the bootstrap installs it like Chromium."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for tool in ("dirname", "grep"):
        (stubs / tool).symlink_to(subprocess.check_output(["which", tool], text=True).strip())
    dpkg = stubs / "dpkg-query"  # every apt package present; npm is simply not on PATH
    dpkg.write_text("#!/bin/sh\nprintf 'install ok installed'\n")
    dpkg.chmod(0o755)
    out = subprocess.run(
        ["/bin/bash", str(ROOT / "scripts" / "bootstrap.sh"), "test"],
        env={
            "PATH": str(stubs),
            "PYTHON": sys.executable,
            "BOOTSTRAP_DRY_RUN": "1",
            "HOME": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["would", "install:", "npm"]
    runtime = subprocess.run(
        ["/bin/bash", str(ROOT / "scripts" / "bootstrap.sh"), "runtime"],
        env={"PATH": str(stubs), "PYTHON": sys.executable, "BOOTSTRAP_DRY_RUN": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert runtime.stdout.split() == ["would", "install:"]  # running needs no npm
    readme = (ROOT / "README.md").read_text()
    test_section = readme[readme.index("## Test it") : readme.index("## Commands")]
    assert "npm" in test_section


def test_package_metadata_uses_an_spdx_license_expression() -> None:
    """setuptools >= 77 deprecates a license table (it printed warnings before the demo
    banner); an SPDX expression string is the current form."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    license_ = project["project"]["license"]
    assert isinstance(license_, str)
    assert canonicalize_license_expression(license_) == license_
    assert not any(c.startswith("License ::") for c in project["project"].get("classifiers", []))
    setuptools = next(
        Requirement(r)
        for r in project["build-system"]["requires"]
        if Requirement(r).name == "setuptools"
    )
    assert not setuptools.specifier.contains("76.9"), "PEP 639 needs setuptools >= 77"
    bootstrap = (ROOT / "scripts" / "bootstrap.sh").read_text()
    assert 'PYTHONWARNINGS="ignore:Editable installation"' in bootstrap


async def test_demo_banner_says_where_and_how_staff_sign_in(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        creds = await seed_demo(conn)
    banner = demo_banner(
        "http://127.0.0.1:8000",
        creds,
        [("Clerk screening", "http://127.0.0.1:8000/take/x")],
        DemoCohort(uuid.uuid4(), 24, "rm-0001"),
    )
    assert "http://127.0.0.1:8000/dashboard " in banner
    assert "organization      demo" in banner
    assert DEMO_COORDINATOR_EMAIL in banner and DEMO_VIEWER_EMAIL in banner
    assert DEMO_STAFF_PASSWORD in banner
    assert "staff sign-in always names the organization" in banner
    assert all(email in banner for email in creds.rater_emails)
    assert DEMO_RATER_PASSWORD in banner and creds.admin_password in banner
    assert "/dashboard/ratings" in banner
    assert "simulated" in banner


async def test_demo_seeds_two_raters_who_can_sign_in(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        creds = await seed_demo(conn)
        await seed_demo(conn)  # idempotent
        raters = await conn.fetch(
            "SELECT email FROM users WHERE organization_id = $1 AND role = 'rater' ORDER BY email",
            creds.organization_id,
        )
        assert [r["email"] for r in raters] == list(creds.rater_emails)
        assert len(raters) == 2
        roles = await conn.fetch(
            "SELECT email, role FROM users WHERE organization_id = $1 AND role IN "
            "('coordinator', 'viewer')",
            creds.organization_id,
        )
        assert {(r["email"], r["role"]) for r in roles} == {
            (DEMO_COORDINATOR_EMAIL, "coordinator"),
            (DEMO_VIEWER_EMAIL, "viewer"),
        }
    checker = PasswordChecker(workers=1, queue=4)
    try:
        accounts = [(email, DEMO_RATER_PASSWORD, "rater") for email in creds.rater_emails]
        accounts += [
            (DEMO_COORDINATOR_EMAIL, DEMO_STAFF_PASSWORD, "coordinator"),
            (DEMO_VIEWER_EMAIL, DEMO_STAFF_PASSWORD, "viewer"),
        ]
        for email, password, role in accounts:
            session = await login(
                pool,
                checker,
                organization_slug=creds.organization_slug,
                email=email,
                password=password,
                address="test",
            )
            assert session.user.role == role
    finally:
        checker.close()


async def test_demo_written_answers_are_plausible_replies(pool: asyncpg.Pool) -> None:
    content = load_content()
    async with pool.acquire() as conn:
        creds = await seed_demo(conn)
    await seed_demo_cohort(
        pool,
        creds.organization_id,
        content,
        thresholds=BandThresholds(),
        size=12,
        simulated_candidates=2000,
    )
    written = {
        item_id
        for item_id, item in content.items.items()
        if isinstance(item, ConstructedResponseItem)
    }
    rows = await pool.fetch(
        "SELECT item_id, answer FROM responses WHERE item_id = ANY($1)", sorted(written)
    )
    assert rows, "the demo cohort wrote something"
    plausible = {text for tiers in DEMO_RESPONSES.values() for text in tiers.values()}
    for row in rows:
        assert isinstance(row["answer"], str)
        assert "Please note:" not in row["answer"]  # the simulation's rule-pattern text
        if row["item_id"] in DEMO_RESPONSES:
            assert row["answer"] in plausible
    assert {r["item_id"] for r in rows} & set(DEMO_RESPONSES)
    # every demo reply opens by addressing the person the prompt names
    for item_id, tiers in DEMO_RESPONSES.items():
        item = content.items[item_id]
        assert isinstance(item, ConstructedResponseItem)
        addressee = re.search(
            r"to (Dr\. [A-Z][a-z-]+(?:-[A-Z][a-z]+)?|[A-Z][a-z]+ [A-Z][a-z]+)", item.stem
        )
        assert addressee is not None
        surname = addressee.group(1).split()[-1]
        for text in tiers.values():
            first_line = text.splitlines()[0]
            assert surname in first_line or addressee.group(1).split()[0] in first_line, text
