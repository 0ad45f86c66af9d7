#!/usr/bin/env python3
# Copyright: a licence header, which LibCST keeps as the module's header.

from infrar.storage import read_bytes
# about the next import

import json
print(json.loads(read_bytes("b", "k")))
