"""Thumbnail mover: take images dropped under incoming/, write a shrunken copy under thumbs/,
move the original to originals/.

Covers: `import infrar.storage as st`, a class whose methods call the SDK, a lambda used as a
sort key, write_bytes / read_bytes / delete / exists, and a local variable named like the
module alias (`st`) in a method that does not use the SDK.
"""

import os

import infrar.storage as st

BUCKET = os.environ["APP_BUCKET"]


def fake_image(width: int, height: int) -> bytes:
    header = f"P5 {width} {height} 255\n".encode()
    return header + bytes((x * y) % 256 for y in range(height) for x in range(width))


class ThumbnailMover:
    def __init__(self, bucket: str, factor: int = 2) -> None:
        self.bucket = bucket
        self.factor = factor
        self.moved: list[str] = []

    def shrink(self, image: bytes) -> bytes:
        header, _, pixels = image.partition(b"\n")
        return header + b"\n" + pixels[:: self.factor]

    def process(self, key: str) -> None:
        name = key.rsplit("/", 1)[-1]
        original = st.read_bytes(self.bucket, key)
        st.write_bytes(self.bucket, f"thumbs/{name}", self.shrink(original))
        st.write_bytes(self.bucket, f"originals/{name}", original)
        st.delete(self.bucket, key)
        self.moved.append(name)

    def summary(self) -> str:
        st = ", ".join(self.moved)  # a local name that shadows the module alias
        return f"moved {len(self.moved)}: {st}"


def main() -> None:
    sizes = {"cat.pgm": (8, 6), "dog.pgm": (16, 4), "bird.pgm": (4, 4)}
    for name, (width, height) in sizes.items():
        st.write_bytes(BUCKET, f"incoming/{name}", fake_image(width, height))

    mover = ThumbnailMover(BUCKET)
    incoming = sorted(st.list_objects(BUCKET, "incoming/"), key=lambda key: len(st.read_bytes(BUCKET, key)))
    for key in incoming:
        mover.process(key)
    print(mover.summary())
    for name in sorted(sizes):
        thumb = st.read_bytes(BUCKET, f"thumbs/{name}")
        print(name, "thumb bytes:", len(thumb), "original kept:", st.exists(BUCKET, f"originals/{name}"))
    print("incoming empty:", not st.exists(BUCKET, "incoming/cat.pgm"))


if __name__ == "__main__":
    main()
