"""What one module's copy reaches: the definitions and imports its infrar calls need, and what it
takes from the tree's shared module instead (both erase paths ask the same questions here)."""

from __future__ import annotations

from infrar.erase.adapters import Code, External, Library


def closure(library: Library, roots: list[Code]) -> tuple[list[Code], list[External]]:
    """Definitions reachable from ``roots``, dependencies first; the imports they need."""
    order: list[Code] = []
    externals: list[External] = []
    state: set[Code] = set()
    stack: list[tuple[Code, list[Code]]] = []

    def deps(code: Code) -> list[Code]:
        targets = library.definition(code).targets
        externals.extend(t for t in targets if isinstance(t, External))
        return [t for t in targets if isinstance(t, Code)]

    for root in roots:
        if root in state:
            continue
        state.add(root)
        stack.append((root, deps(root)))
        while stack:
            code, pending = stack[-1]
            if pending:
                nxt = pending.pop(0)
                if nxt not in state:
                    state.add(nxt)
                    stack.append((nxt, deps(nxt)))
            else:
                stack.pop()
                order.append(code)
    return order, externals


def fixed_names(library: Library) -> dict[Code, str] | None:
    return None if library.shared is None else library.shared.names


def shared_imports(library: Library, emitted: list[Code], roots: list[Code]) -> list[External] | None:
    """The imports of what the module uses directly (``roots``) from the tree's shared module,
    when that holds every definition the module needs; else None: they are copied in."""
    shared = library.shared
    if shared is None or not all(code in shared.names for code in emitted):
        return None
    return [External(shared.module, shared.names[code], shared.names[code], shared=True)
            for code in dict.fromkeys(roots)]
