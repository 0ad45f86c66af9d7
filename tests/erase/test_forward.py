"""A copied function that only forwards its arguments is called through (infrar/erase/forward.py),
and only where any call of it means the same to what it forwards to."""

from __future__ import annotations

import libcst as cst

from infrar.erase import erase_source, fold
from infrar.erase.adapters import Code, Library
from infrar.erase.catalog import Catalog
from infrar.erase.reach import closure
from tests.erase.test_fold import ADAPTER

MODULE = ADAPTER.partition(":")[0]


def test_a_forwarder_is_called_through_where_it_means_the_same() -> None:
    library = Library(Catalog(None))
    code = library.method(ADAPTER, "forwarded")
    call = cst.parse_expression('f("good-bucket")')
    assert isinstance(call, cst.Call)
    folded, _refused = fold.specialise(library, [fold.site(library.definition(code), call)], [code])
    reached, _externals = closure(folded, [code])
    assert Code(MODULE, "_forwarder") not in reached
    calls = [target for target in folded.definition(code).refs.values() if isinstance(target, Code)]
    # both calls, positional and by keyword, go to _target
    assert calls.count(Code(MODULE, "_target")) == 2
    # a different default, the parameters in another order, or one more (a callback called with
    # too many arguments fails on one, not on the other) would change what a call means
    assert Code(MODULE, "_other_default") in reached and Code(MODULE, "_reordered") in reached
    assert Code(MODULE, "_to_more") in reached


def test_erased_code_raises_what_the_forwarder_did() -> None:
    source = "import os\n\nfrom infrar import storage\n\nstorage.write_bytes(os.environ['B'], 'k', b'x')\n"
    text = erase_source(source, "aws", "app.py")
    assert "def _error(" not in text and "raise _translate_error(exc, bucket) from exc" in text
