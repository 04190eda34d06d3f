"""Check that requirements/constraints.txt still fits pyproject.toml and the installed venv.

Run with the project's venv python after `pip install -c requirements/constraints.txt -e '.[dev]'`.
It walks the dependency closure of the project (with its `dev` extra) from pyproject.toml and fails when a
package in it is not pinned in the constraints file, when a pin falls outside a range that asks for it, or when
the installed version differs from its pin — each means `make lock` has to be run again. It also fails when a
pinned package needs a newer Python than the oldest one pyproject.toml's requires-python admits (Debian 12's
python3 is 3.11.2): requirements/lock-input.txt then caps that package for `make lock`. Pins that nothing needs
any more are reported (the next `make lock` drops them) but do not fail; lock-input.txt's own are expected.
"""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
LOCK_INPUT = ROOT / "requirements" / "lock-input.txt"
EXTRAS = ("dev",)
# pip itself is pinned for a reproducible installer; nothing in the project requires it.
INSTALLER = {"pip"}


def read_pins(path: Path) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep:
            raise SystemExit(f"{path}:{number}: {line!r} is not pinned with ==")
        pins[canonicalize_name(name)] = Version(version.strip())
    return pins


def oldest_python(requires_python: str) -> Version:
    """The lowest Python version a requires-python range admits, e.g. >=3.11 gives 3.11.0."""
    floors = [Version(s.version) for s in SpecifierSet(requires_python) if s.operator in (">=", "~=", "==")]
    floor = max(floors, default=Version("3"))
    return Version(".".join(str(part) for part in (floor.release + (0, 0))[:3]))


def marker_applies(req: Requirement, extras: frozenset[str]) -> bool:
    if req.marker is None:
        return True
    env = default_environment()
    return any(req.marker.evaluate({**env, "extra": extra}) for extra in (extras or {""}))


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    roots = [Requirement(r) for r in project["dependencies"]]
    for extra in EXTRAS:
        roots += [Requirement(r) for r in project["optional-dependencies"][extra]]

    pins = read_pins(CONSTRAINTS)
    python_floor = oldest_python(project.get("requires-python", ""))
    problems: list[str] = []
    seen: dict[str, set[str]] = {}
    queue: list[tuple[Requirement, str]] = [(r, "pyproject.toml") for r in roots]
    while queue:
        req, wanted_by = queue.pop()
        name = canonicalize_name(req.name)
        pin = pins.get(name)
        if pin is None:
            problems.append(f"{req.name} (wanted by {wanted_by}) is not pinned in {CONSTRAINTS.name}")
        elif not req.specifier.contains(pin, prereleases=True):
            problems.append(f"{req.name}=={pin} is pinned but {wanted_by} asks for {req}")
        extras = set(req.extras)
        if name in seen and extras <= seen[name]:
            continue
        seen[name] = seen.get(name, set()) | extras
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            problems.append(f"{req.name} (wanted by {wanted_by}) is not installed")
            continue
        if pin is not None and Version(dist.version) != pin:
            problems.append(f"{req.name} {dist.version} is installed but {CONSTRAINTS.name} pins {pin}")
        needs_python = dist.metadata.get("Requires-Python")
        if needs_python and not SpecifierSet(needs_python).contains(python_floor, prereleases=True):
            problems.append(
                f"{dist.metadata['Name']} {dist.version} needs Python {needs_python}, but pyproject.toml admits "
                f"Python {python_floor}: cap it in requirements/lock-input.txt and run `make lock`"
            )
        for child in dist.requires or []:
            child_req = Requirement(child)
            if marker_applies(child_req, frozenset(extras)):
                queue.append((child_req, f"{dist.metadata['Name']} {dist.version}"))

    lock_input = {
        canonicalize_name(Requirement(line.split("#", 1)[0]).name)
        for line in LOCK_INPUT.read_text().splitlines()
        if line.split("#", 1)[0].strip()
    }
    unused = sorted(set(pins) - set(seen) - INSTALLER - lock_input)
    for name in unused:
        print(f"note: {name}=={pins[name]} is pinned but nothing requires it any more (make lock drops it)")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print("The lock no longer fits pyproject.toml: run `make lock` and commit requirements/.", file=sys.stderr)
        return 1
    print(f"lock ok: {len(seen)} packages in the closure of kessai-portal[{','.join(EXTRAS)}] match {CONSTRAINTS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
