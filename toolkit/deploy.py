"""`podkit deploy`: publish the built site to a bucket or a folder, only what changed, in the
order apps need (see deploy_plan), with a content type and a cache policy for every file."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path

from toolkit.deploy_plan import Local, Plan, Remote, Stage, Step, doubtful, plan, scan
from toolkit.deploy_targets import DeployFailed, Headers, Target, open_target
from toolkit.errors import Problem, Problems, ToolkitError
from toolkit.tomlcheck import Table, load_toml

log = logging.getLogger(__name__)

SHORT = "public, max-age=300"  # what changes under the same name and must agree with the feed
# MP3s and images keep their names when their content changes (a re-tag, a new cover), so
# they are never immutable: an hour spares the origin and lets a fix reach listeners.
LONG = "public, max-age=3600"

# (pattern, Content-Type, Cache-Control), first match wins; text is UTF-8 everywhere.
DEFAULT_HEADERS: tuple[tuple[str, str, str], ...] = (
    ("feed.xml", "application/rss+xml; charset=utf-8", SHORT),
    ("sitemap.xml", "application/xml; charset=utf-8", SHORT),
    ("*.html", "text/html; charset=utf-8", SHORT),
    ("*.css", "text/css; charset=utf-8", SHORT),
    ("*.js", "text/javascript; charset=utf-8", SHORT),
    ("*.mp3", "audio/mpeg", LONG),
    ("*.m4a", "audio/mp4", LONG),
    ("*.jpg", "image/jpeg", LONG),
    ("*.jpeg", "image/jpeg", LONG),
    ("*.png", "image/png", LONG),
    ("*.webp", "image/webp", LONG),
    ("*.vtt", "text/vtt; charset=utf-8", SHORT),
    ("*.srt", "application/x-subrip; charset=utf-8", SHORT),
    ("*.json", "application/json", SHORT),
    ("*.txt", "text/plain; charset=utf-8", SHORT),
    ("*.xml", "application/xml; charset=utf-8", SHORT),
)

WORKERS = 16  # files uploaded at once within a step


@dataclass(frozen=True)
class HeaderRule:
    pattern: str
    content_type: str | None
    cache_control: str | None


@dataclass(frozen=True)
class Settings:
    """show.toml's [deploy] table: a default target and header rules (never credentials)."""

    to: str | None = None
    endpoint_url: str | None = None
    delete: bool = True
    headers: tuple[HeaderRule, ...] = ()


def headers_for(name: str, rules: tuple[HeaderRule, ...] = ()) -> Headers:
    """The show's rules first, then podkit's defaults, then a guess from the extension.

    >>> headers_for("001/x.mp3")
    Headers(content_type='audio/mpeg', cache_control='public, max-age=3600')
    >>> headers_for("feed.xml", (HeaderRule("feed.xml", None, "no-cache"),)).cache_control
    'no-cache'
    """
    content_type = next((r.content_type for r in rules if _match(name, r.pattern)), None)
    cache = next((r.cache_control for r in rules if _match(name, r.pattern)), None)
    for pattern, default_type, default_cache in DEFAULT_HEADERS:
        if _match(name, pattern):
            return Headers(content_type or default_type, cache or default_cache)
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Headers(content_type or guessed, cache or SHORT)


def _match(name: str, pattern: str) -> bool:
    """A pattern with a / matches the whole name; one without matches the file name too."""
    return fnmatchcase(name, pattern) or ("/" not in pattern and fnmatchcase(name, f"*/{pattern}"))


def read_settings(source: Path | None) -> Settings:
    """The [deploy] table of the show's show.toml, when there is one."""
    if source is None or not (source / "show.toml").is_file():
        return Settings()
    file = source / "show.toml"
    problems = Problems()
    data = load_toml(file, problems)
    problems.raise_if_errors()
    table = Table(data or {}, file, "", problems).table("deploy")
    if table is None:
        problems.raise_if_errors()
        return Settings()
    settings = Settings(
        to=table.text("to"),
        endpoint_url=table.url("endpoint_url"),
        delete=table.boolean("delete", True),
        headers=tuple(_rule(t) for t in table.tables("headers")),
    )
    table.finish()
    for warning in problems.warnings:
        log.warning("%s", warning)
    problems.raise_if_errors()
    return settings


def _rule(t: Table) -> HeaderRule:
    rule = HeaderRule(
        t.text("pattern", required=True) or "", t.text("content_type"), t.text("cache_control")
    )
    t.finish()
    return rule


@dataclass(frozen=True)
class DeployReport:
    target: str
    plan: Plan
    dry_run: bool

    def lines(self) -> list[str]:
        """--dry-run's listing: one line per change, in the order it would run."""
        return [f"{s.action:8} {s.name} ({_size(s.size)})" for s in self.plan.steps]

    def summary(self) -> str:
        p = self.plan
        if not p.steps:
            return f"Nothing to deploy: {self.target} already holds the site ({p.unchanged} files)."
        verb = "Would upload" if self.dry_run else "Uploaded"
        return (
            f"{verb} {p.count('upload')} new and {p.count('replace')} changed files "
            f"({_size(p.bytes('upload') + p.bytes('replace'))}), "
            f"{'would delete' if self.dry_run else 'deleted'} {p.count('delete')}, "
            f"{p.unchanged} unchanged: {self.target}"
        )


class DeployError(ToolkitError):
    """A deploy that stopped; ``feed_published`` says whether the new feed is public."""

    def __init__(self, problem: Problem, feed_published: bool) -> None:
        super().__init__([problem])
        self.feed_published = feed_published


Progress = Callable[[int], None]


def deploy(
    site: Path,
    to: str | None = None,
    *,
    source: Path | None = None,
    endpoint_url: str | None = None,
    dry_run: bool = False,
    delete: bool | None = None,
    progress: Callable[[int], Progress] | None = None,
) -> DeployReport:
    """Publish ``site`` to ``to`` (or show.toml's [deploy] target); see `run`."""
    settings = read_settings(source)
    url = to or settings.to
    if url is None:
        raise ToolkitError(
            [Problem("--to", None, "no target: pass --to s3://bucket or set [deploy] to")]
        )
    target = open_target(url, endpoint_url or settings.endpoint_url)
    keep_deleting = settings.delete if delete is None else delete
    return run(site, target, url, settings.headers, dry_run, keep_deleting, progress)


def run(
    site: Path,
    target: Target,
    label: str,
    rules: tuple[HeaderRule, ...] = (),
    dry_run: bool = False,
    delete: bool = True,
    progress: Callable[[int], Progress] | None = None,
) -> DeployReport:
    """Compare the site with the target, then upload by stage: media, assets, pages, home page
    and sitemap, feed; deletions last. A stage starts only when the previous one is complete,
    so a failure anywhere leaves the public feed linking only objects that exist."""
    if not site.is_dir():
        raise ToolkitError([Problem(site, None, "folder not found: run podkit build first")])
    local = scan(site)
    if not any(name == "feed.xml" for name in local):
        raise ToolkitError([Problem(site, None, "has no feed.xml: run podkit build first")])
    remote = _remote(target, local, label)
    chosen = plan(local, remote, delete)
    report = DeployReport(label, chosen, dry_run)
    if not dry_run:
        _execute(chosen, local, target, rules, progress)
    return report


def _remote(target: Target, local: dict[str, Local], label: str) -> dict[str, Remote]:
    """What the target holds, with the stored SHA-256 of the objects whose ETag says nothing."""
    try:
        remote = target.listing()
        for name in doubtful(local, remote):
            remote[name] = replace(remote[name], sha256=target.stored_sha256(name))
    except DeployFailed as error:
        raise DeployError(Problem(label, None, str(error)), feed_published=False) from None
    return remote


def _execute(
    chosen: Plan,
    local: dict[str, Local],
    target: Target,
    rules: tuple[HeaderRule, ...],
    progress: Callable[[int], Progress] | None,
) -> None:
    total = chosen.bytes("upload") + chosen.bytes("replace")
    advance = progress(total) if progress and total else None
    feed_published = False
    for stage, steps in chosen.stages():
        try:
            if stage is Stage.DELETE:
                target.delete([step.name for step in steps])
            else:
                _upload(steps, local, target, rules, advance)
        except DeployFailed as error:
            state = "the new feed is public" if feed_published else "the public feed is unchanged"
            problem = Problem(str(error), None, f"deploy stopped, {state}; run it again")
            raise DeployError(problem, feed_published) from None
        for step in steps:
            log.debug("%s %s", step.action, step.name)
        feed_published = feed_published or stage is Stage.FEED


def _upload(
    steps: list[Step],
    local: dict[str, Local],
    target: Target,
    rules: tuple[HeaderRule, ...],
    advance: Progress | None,
) -> None:
    """Every file of one stage, several at once; the first failure is raised once all the
    others have ended, so no upload of this stage outlives the call."""

    def put(step: Step) -> None:
        target.put(step.name, local[step.name], headers_for(step.name, rules))
        if advance:
            advance(step.size)

    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(put, step) for step in steps]
    for future in futures:
        future.result()


def _size(count: int) -> str:
    """
    >>> _size(512), _size(2048), _size(3 * 1024 * 1024)
    ('512 B', '2.0 KB', '3.0 MB')
    """
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count / 1024 / 1024:.1f} MB"
