"""Where a deploy writes: a folder (``file:///path``) or an S3-compatible bucket
(``s3://bucket/prefix``). Each target lists what it holds, puts one file, deletes names; the
order is the planner's business, not theirs."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from toolkit.deploy_plan import PART_SIZE, Local, Remote, checksums, private
from toolkit.errors import Problem, ToolkitError


@dataclass(frozen=True)
class Headers:
    content_type: str
    cache_control: str


class Target(Protocol):
    def listing(self) -> dict[str, Remote]: ...

    def stored_sha256(self, name: str) -> str | None: ...

    def put(self, name: str, file: Local, headers: Headers) -> None: ...

    def delete(self, names: list[str]) -> None: ...


class DeployFailed(Exception):
    """One operation failed; the message is one line for the user."""


def open_target(url: str, endpoint_url: str | None) -> Target:
    parsed = urlparse(url)
    if parsed.scheme == "file" and parsed.netloc in ("", "localhost") and parsed.path:
        return FolderTarget(Path(unquote(parsed.path)))
    if parsed.scheme == "s3" and parsed.netloc:
        return S3Target(parsed.netloc, parsed.path.strip("/"), endpoint_url)
    raise ToolkitError(
        [Problem("--to", None, f"{url!r}: write s3://bucket[/prefix] or file:///absolute/folder")]
    )


class FolderTarget:
    """A plain folder (a gh-pages checkout, a mounted share): every write is a temporary file
    renamed over the old one, so a reader never sees half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def listing(self) -> dict[str, Remote]:
        found: dict[str, Remote] = {}
        for path in self.root.rglob("*"):
            name = path.relative_to(self.root).as_posix()
            if path.is_file() and not path.is_symlink() and not private(name):
                file = checksums(path)
                found[name] = Remote(file.size, file.md5, file.sha256)
        return found

    def stored_sha256(self, name: str) -> str | None:
        return None  # the listing already read every file whole

    def put(self, name: str, file: Local, headers: Headers) -> None:
        target = self.root / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            os.close(handle)
            try:
                shutil.copyfile(file.path, temporary)
                os.chmod(temporary, 0o644)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise DeployFailed(f"{target}: cannot be written ({error.strerror})") from None

    def delete(self, names: list[str]) -> None:
        for name in names:
            path = self.root / name
            try:
                path.unlink(missing_ok=True)
                _remove_empty_parents(path.parent, self.root)
            except OSError as error:
                raise DeployFailed(f"{path}: cannot be deleted ({error.strerror})") from None


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


SHA256_KEY = "podkit-sha256"  # user metadata (x-amz-meta-…) podkit keeps with each object
_TRIES = 4  # bounded retries with backoff on 5xx, throttling and dropped connections


class S3Target:
    """An S3-compatible bucket through boto3: credentials, region and endpoint come from the
    standard AWS chain (environment, profiles, config files), never from show.toml."""

    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None) -> None:
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""
        self.client, self.transfer = _client(endpoint_url)

    def key(self, name: str) -> str:
        return self.prefix + name

    def listing(self) -> dict[str, Remote]:
        found = {}
        pages = self.client.get_paginator("list_objects_v2")
        with _errors(self.bucket):
            for page in pages.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", ()):
                    name = item["Key"][len(self.prefix) :]
                    found[name] = Remote(item["Size"], item.get("ETag", "").strip('"'))
        return found

    def stored_sha256(self, name: str) -> str | None:
        with _errors(self.bucket):
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        metadata = {k.lower(): v for k, v in head.get("Metadata", {}).items()}
        value = metadata.get(SHA256_KEY)
        return value if isinstance(value, str) else None

    def put(self, name: str, file: Local, headers: Headers) -> None:
        extra = {
            "ContentType": headers.content_type,
            "CacheControl": headers.cache_control,
            "Metadata": {SHA256_KEY: file.sha256},
        }
        key = self.key(name)
        with _errors(self.bucket, name):
            if file.size < PART_SIZE:
                with file.path.open("rb") as body:
                    self.client.put_object(Bucket=self.bucket, Key=key, Body=body, **extra)
            else:  # in parts, several at once
                self.client.upload_file(
                    str(file.path), self.bucket, key, ExtraArgs=extra, Config=self.transfer
                )

    def delete(self, names: list[str]) -> None:
        for start in range(0, len(names), 1000):  # the most one request may name
            batch = [{"Key": self.key(n)} for n in names[start : start + 1000]]
            with _errors(self.bucket):
                answer = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
            for error in answer.get("Errors", ()):
                raise DeployFailed(f"{error.get('Key')}: not deleted ({error.get('Message')})")


def _client(endpoint_url: str | None) -> tuple[Any, Any]:
    try:
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config
    except ImportError:
        raise ToolkitError(
            "podkit deploy to s3:// needs boto3: pip install 'podkit[deploy]'"
        ) from None
    tries = int(os.environ.get("AWS_MAX_ATTEMPTS", _TRIES))
    config = Config(
        retries={"mode": "standard", "max_attempts": tries},
        connect_timeout=10,
        max_pool_connections=32,
    )
    session = boto3.session.Session()
    client = session.client("s3", endpoint_url=endpoint_url, config=config)
    transfer = TransferConfig(
        multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE, max_concurrency=8
    )
    return client, transfer


class _errors:
    """botocore's exceptions as one line each, naming what to check."""

    def __init__(self, bucket: str, name: str | None = None) -> None:
        self.bucket = bucket
        self.name = name

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: Any
    ) -> None:
        if error is None or isinstance(error, DeployFailed):
            return
        message = _explain(error, self.bucket)
        if message is None:
            return
        where = f"{self.name}: " if self.name else ""
        raise DeployFailed(f"{where}{message}") from None


def _explain(error: BaseException, bucket: str) -> str | None:
    from botocore import exceptions as aws

    if isinstance(error, aws.NoCredentialsError | aws.PartialCredentialsError):
        return "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
    if isinstance(error, aws.ProfileNotFound):
        return f"{error}: check AWS_PROFILE and ~/.aws/config"
    if isinstance(error, aws.EndpointConnectionError | aws.ConnectionError):
        return f"cannot reach the storage ({error}): check the network and --endpoint-url"
    if isinstance(error, aws.ClientError):
        return _client_error(error, bucket)
    if isinstance(error, aws.BotoCoreError):
        return str(error)
    if hasattr(error, "__module__") and str(error.__module__).startswith(("boto3", "s3transfer")):
        return str(error)
    return None


def _client_error(error: Any, bucket: str) -> str:
    code = str(error.response.get("Error", {}).get("Code", ""))
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in ("NoSuchBucket",) or (code == "404" and error.operation_name == "ListObjectsV2"):
        return f"bucket {bucket!r} not found: create it, or check the name and --endpoint-url"
    if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"):
        return f"the storage refused the credentials ({code}): check your AWS credentials"
    if code in ("AccessDenied", "403"):
        return f"access denied to bucket {bucket!r}: the credentials lack the permission"
    if isinstance(status, int) and status >= 500:
        return f"the storage failed ({status} {code}) after several tries: try again later"
    return f"the storage answered {code or status}: {error}"
