"""Static site publisher: build a tiny site in APP_WORKDIR, publish it file by file, then
check the live copy and pull the index back for a smoke test.

Covers: `import infrar.storage` together with `from infrar.storage import upload as put`,
os.walk, upload of nested paths, exists, download to a path (atomic, into an existing
directory) and to a missing directory (NotFound), and a set comprehension.
"""

import os
import tempfile
from pathlib import Path

import infrar.errors
import infrar.storage
from infrar.storage import upload as put

BUCKET = os.environ["APP_BUCKET"]
# Local files go to APP_WORKDIR, or to a fresh temporary directory (never the current one).
WORKDIR = Path(os.environ.get("APP_WORKDIR") or tempfile.mkdtemp(prefix="corpus-"))

PAGES = {
    "index.html": "<h1>Home</h1>",
    "about/index.html": "<h1>About</h1>",
    "blog/2024/hello.html": "<p>Hello</p>",
    "css/site.css": "body { margin: 0 }",
}


def build(root: Path) -> None:
    for relative, body in PAGES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)


def publish(root: Path, prefix: str) -> list[str]:
    published = []
    for directory, _dirs, files in os.walk(root):
        for name in sorted(files):
            path = Path(directory) / name
            key = f"{prefix}/{path.relative_to(root).as_posix()}"
            put(BUCKET, path, key)
            published.append(key)
    return sorted(published)


def main() -> None:
    site = WORKDIR / "site"
    build(site)
    keys = publish(site, "www")
    print("published:", keys)
    print("all live:", all(infrar.storage.exists(BUCKET, key) for key in keys))
    print("sections:", sorted({key.split("/")[1] for key in keys}))

    check = WORKDIR / "check"
    check.mkdir()
    infrar.storage.download(BUCKET, "www/index.html", check / "index.html")
    print("index round-trips:", (check / "index.html").read_text() == PAGES["index.html"])
    print("no temp files left:", sorted(p.name for p in check.iterdir()))
    try:
        infrar.storage.download(BUCKET, "www/index.html", WORKDIR / "no-such-dir" / "index.html")
    except infrar.errors.NotFound:
        print("download into a missing directory: NotFound")


if __name__ == "__main__":
    main()
