"""Share links: hand out time-limited download and upload links for documents.

Covers: imports inside functions (`import infrar.storage as st` and
`from infrar.storage import signed_url` in function bodies), signed_url GET and PUT, the
GET link fetched with urllib, and InvalidArgument for a bad expiry or method caught by the
builtin it derives from (ValueError).
"""

import os
import urllib.request
from urllib.parse import urlsplit

BUCKET = os.environ["APP_BUCKET"]


def share(key: str, hours: int = 1) -> str:
    import infrar.storage as st

    return st.signed_url(BUCKET, key, expires_in=hours * 3600)


def upload_link(key: str) -> str:
    from infrar.storage import signed_url

    return signed_url(BUCKET, key, 900, "PUT")


def main() -> None:
    from infrar import storage

    document = b"Quarterly numbers: all up.\n"
    storage.write_bytes(BUCKET, "shared/q1.txt", document)

    link = share("shared/q1.txt")
    print("GET link non-empty:", bool(link), "scheme:", urlsplit(link).scheme)
    with urllib.request.urlopen(link) as response:
        print("fetched through link matches:", response.read() == document)

    put = upload_link("inbox/upload.txt")
    print("PUT link non-empty:", bool(put), "scheme:", urlsplit(put).scheme)
    print("PUT link names the key:", "upload.txt" in put)

    for expires_in, method in ((0, "GET"), (8 * 24 * 3600, "GET"), (60, "DELETE")):
        try:
            storage.signed_url(BUCKET, "shared/q1.txt", expires_in=expires_in, method=method)
        except ValueError:
            print("rejected:", expires_in, method)
    try:
        share("shared/missing.txt")
    except FileNotFoundError:
        print("no link for a missing document")


if __name__ == "__main__":
    main()
