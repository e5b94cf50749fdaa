"""A Python client generated from the served OpenAPI document by openapi-python-client comes
out without warnings, with every documented error response parsed as a Problem."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

pytestmark = pytest.mark.slow


async def test_openapi_python_client_generates_cleanly(
    client: AsyncTestClient,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(doc))
    # The generator handles binary bodies as application/octet-stream; PDFs are binary.
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps({"content_type_overrides": {"application/pdf": "application/octet-stream"}})
    )
    bin_dir = Path(sys.executable).parent
    run = await asyncio.to_thread(
        subprocess.run,
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(tmp_path / "client"),
            "--meta",
            "none",
            "--overwrite",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Warning" not in output and "warning" not in output.lower(), output
    generated = tmp_path / "client"
    listing = (generated / "api" / "results" / "list_results.py").read_text()
    for status in ("401", "403", "422", "429", "503"):
        assert f"status_code == {status}" in listing, status
    assert "Problem.from_dict" in listing
