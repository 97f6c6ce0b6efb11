"""Two apps' response schemas with one class name would share one OpenAPI component."""

from __future__ import annotations

import ast
import collections
import pathlib

SOURCE = pathlib.Path(__file__).resolve().parents[2] / "src" / "convivencia"


def schema_classes() -> dict[str, list[str]]:
    found: dict[str, list[str]] = collections.defaultdict(list)
    for path in sorted(SOURCE.glob("*/api.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and any(
                getattr(base, "id", getattr(base, "attr", "")) in {"Schema", "ModelSchema"}
                for base in node.bases
            ):
                found[node.name].append(path.parent.name)
    return found


def test_no_two_apps_name_an_api_schema_alike():
    classes = schema_classes()
    assert len(classes) > 20  # the scan found the schemas
    clashes = {name: apps for name, apps in classes.items() if len(apps) > 1}
    assert not clashes, f"rename one of each (OpenAPI keeps one component per name): {clashes}"
