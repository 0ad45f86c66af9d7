"""Azure only: move last year's invoices to the Cool access tier to save money.

Covers: a provider-only feature (`from infrar.azure.blob import set_access_tier`) next to the
portable API (`import infrar.storage as st`). Erasing this program for aws or gcp fails.
"""

import os

import infrar.storage as st
from infrar.azure.blob import set_access_tier

BUCKET = os.environ["APP_BUCKET"]


def main() -> None:
    for month in range(1, 4):
        st.write_bytes(BUCKET, f"invoices/2023/{month:02d}.pdf", b"%PDF-1.4 invoice " + bytes([month]))
    st.write_bytes(BUCKET, "invoices/2024/01.pdf", b"%PDF-1.4 current")
    old = st.list_objects(BUCKET, "invoices/2023/")
    for key in old:
        set_access_tier(BUCKET, key, "Cool")
    print("moved to Cool:", old)
    print("still readable:", all(st.read_bytes(BUCKET, key).startswith(b"%PDF") for key in old))


if __name__ == "__main__":
    main()
