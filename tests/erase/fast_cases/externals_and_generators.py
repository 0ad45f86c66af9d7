"""Doc."""
from infrar.storage import write_bytes, read_bytes
import boto3
s3 = 1
def boto3_user():
    write_bytes("b", "k", read_bytes("b", "j"))
    global s3
    for x in read_bytes("b", "k"):
        yield x
