"""Generate an OpenTofu root module for a provider from project.yaml.

Writes main.tf, variables.tf, outputs.tf, versions.tf and the modules they call to DIR,
atomically; files of your own in DIR (state, *.tfvars, *_override.tf, .terraform/) are kept.
With --diff, prints how DIR would change and writes nothing (exit 1 if it would change).
Warns on stderr about each capability without ``uses:``: it gets access to every resource.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROVIDERS = ("aws", "gcp", "azure")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--provider", required=True, choices=PROVIDERS, help="cloud to generate for")
    parser.add_argument("project", nargs="?", default="project.yaml", type=Path,
                        help="project file (default: project.yaml)")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="directory of the root module (default: infra/<provider>)")
    parser.add_argument("--diff", action="store_true",
                        help="show the changes against the existing directory; write nothing")


def run(args: argparse.Namespace) -> int:
    from infrar.infra.generate import access_warnings, dropped_warnings, environment_warnings, generate
    from infrar.infra.project import load_project
    from infrar.infra.writer import diff, write_atomic

    project = load_project(args.project)
    warnings = access_warnings(project) + environment_warnings(project, args.provider)
    for warning in warnings + dropped_warnings(project, args.provider):
        print(warning, file=sys.stderr)
    files = generate(project, args.provider)
    output: Path = args.output or Path("infra") / args.provider
    if args.diff:
        changes = diff(files, output)
        sys.stdout.write(changes)
        return 1 if changes else 0
    write_atomic(files, output)
    modules = len({name.split("/")[1] for name in files if name.startswith("modules/")})
    print(f"wrote {output}/: root module for {args.provider} calling {modules} module(s); "
          f"next: cd {output} && tofu init && tofu plan")
    if 'output "database_grants"' in files["outputs.tf"]:  # the workloads' database roles need SQL
        print("after apply, run the SQL of `tofu output -json database_grants` once as each database's "
              "administrator: it creates the workloads' database roles (docs/infra.md, Databases)")
    return 0
