"""Find the resources (buckets, queues, databases ...) the code uses; report the missing ones.

Scans SRC (a file or a directory) for calls of installed plugins' functions whose plugin.yaml
declares a resource parameter, reads each name (a literal or a module-level constant; other
expressions are reported as dynamic) and compares them with project.yaml's resources. With
--write the missing ones are appended to project.yaml, the rest of the file left as it was; code
that calls infrar.observability gets a top-level ``observability: {}`` the same way.
Exit status: 0 when nothing is missing (or --write added it), 1 when resources are missing,
2 on a conflict or an invalid project file.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src", help="a Python file or a directory of them")
    parser.add_argument("--project", default="project.yaml", metavar="FILE",
                        help="the project file to compare with (default: ./project.yaml)")
    parser.add_argument("--write", action="store_true", help="add the missing resources to the project file")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from infrar.infra.project import load_project
    from infrar.infra.scan import add_observability, add_resources, missing, scan, wants_observability

    result = scan(args.src)
    project_path = Path(args.project)
    project = load_project(project_path) if project_path.exists() else None
    absent, conflicts = missing(project, result)
    found = result.resources()
    print(f"scanned {result.files} file(s): {len(found)} resource(s) named in infrar calls")
    for error in result.errors:
        print(f"  skipped {error}")
    for dyn in result.dynamic:
        print(f"  dynamic {dyn.kind} name {dyn.expression!r} at {dyn.file}:{dyn.line}:{dyn.column} "
              f"({dyn.call}): not checked; declare it in {project_path} by hand")
    for conflict in conflicts:
        print(f"  conflict: {conflict}")
    if wants_observability(project, result):  # telemetry needs its store (and is billed), so say so
        if args.write:
            add_observability(project_path)
            print(f"the code uses infrar.observability: added observability: {{}} to {project_path}")
        else:
            print(f"the code uses infrar.observability but {project_path} has no observability: key; "
                  "run again with --write to add it")
            if not absent:
                return 2 if conflicts else 1
    if not absent:
        print(f"all of them are declared in {project_path}" if found else "nothing to declare")
        return 2 if conflicts else 0
    print(f"missing from {project_path}:")
    for kind, name in absent:
        print(f"  {kind:<9} {name:<30} used at {found[(kind, name)][0].where}")
    if not args.write:
        print("run again with --write to add them")
        return 1
    add_resources(project_path, absent)
    print(f"added {len(absent)} resource(s) to {project_path}")
    scoped = [c.name for c in (project.capabilities if project else ()) if c.uses is not None]
    if scoped:  # least privilege: a new resource is reached by no capability that lists uses:
        print(f"capabilities with uses: ({', '.join(scoped)}) reach a new resource only once it is listed there")
    return 2 if conflicts else 0
