"""An S3 endpoint for the tests of the object-store path (issue 16 §2).

The tests that use it run only on PostgreSQL and Redis (as ``.ci/run`` provides); elsewhere they
skip, and in CI (``CI`` set) a missing service fails the run instead.

The endpoint is ``S3_TEST_ENDPOINT_URL`` when set (a MinIO, say, with ``S3_TEST_ACCESS_KEY_ID`` and
``S3_TEST_SECRET_ACCESS_KEY``); otherwise moto's standalone server (``moto[server]``, a dev
requirement) is started on 127.0.0.1 on a free port for the test session. moto is for CI and tests
only: it keeps objects in memory (docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


def require_postgres_and_redis() -> tuple[str, str]:
    """``(DATABASE_URL, REDIS_URL)``, or skip (locally) / fail (in CI) without them."""
    database, redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database.startswith(("postgres://", "postgresql://")) or not redis:
        message = "the object-store tests need PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set: {message}")
        pytest.skip(message)
    return database, redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, *, seconds: float = 60.0, process: subprocess.Popen | None = None) -> None:
    """Until ``url`` answers at all (any HTTP status)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} ended with {process.returncode} before serving {url}")
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 (our own 127.0.0.1 URL)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds:.0f} s")


@dataclass(frozen=True)
class S3Endpoint:
    url: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.url, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name=self.region)

    def new_bucket(self) -> str:
        name = f"portal-test-{secrets.token_hex(6)}"
        self.client().create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str) -> dict[str, bytes]:
        client = self.client()
        keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
                for o in page.get("Contents", [])]
        return {key: client.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}

    def env(self, bucket: str) -> dict[str, str]:
        """The portal's settings for this bucket, as environment variables."""
        return {"S3_BUCKET": bucket, "S3_ENDPOINT_URL": self.url, "S3_ACCESS_KEY_ID": self.access_key,
                "S3_SECRET_ACCESS_KEY": self.secret_key, "S3_REGION": self.region}

    def storages(self, bucket: str) -> dict:
        """A ``STORAGES`` setting with the default storage in this bucket."""
        return {
            "default": {"BACKEND": "portal.storage.PrivateS3Storage", "OPTIONS": {
                "bucket_name": bucket, "endpoint_url": self.url, "access_key": self.access_key,
                "secret_key": self.secret_key, "region_name": self.region, "addressing_style": "path",
                "signature_version": "s3v4", "default_acl": None, "file_overwrite": False,
                "querystring_expire": 60, "max_memory_size": 2 * 1024 * 1024}},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


@contextlib.contextmanager
def s3_endpoint() -> Iterator[S3Endpoint]:
    url = os.environ.get("S3_TEST_ENDPOINT_URL", "")
    if url:
        yield S3Endpoint(url=url, access_key=os.environ.get("S3_TEST_ACCESS_KEY_ID", ""),
                         secret_key=os.environ.get("S3_TEST_SECRET_ACCESS_KEY", ""))
        return
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/moto-api/", process=process)
        yield S3Endpoint(url=f"http://127.0.0.1:{port}", access_key="moto-test", secret_key="moto-test-secret")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
