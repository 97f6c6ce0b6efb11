"""The layers of docs/architecture.md, enforced by reading every module's imports.

Every ``import`` and ``from … import`` under ``src/convivencia`` counts, at module level and
inside functions alike (a lazy import is still a dependency). Migrations are exempt: they
are frozen history and import nothing but Django and their own helpers.
"""

from __future__ import annotations

import ast
import itertools
import pathlib
import re
import textwrap
from dataclasses import dataclass

import pytest

SOURCE = pathlib.Path(__file__).resolve().parent.parent / "src"

TOOLKIT, PLATFORM, DOMAIN, SITE = range(4)
LAYER_NAMES = {TOOLKIT: "toolkit", PLATFORM: "platform", DOMAIN: "domain", SITE: "site"}

# Module prefixes and their layer; the longest matching prefix wins. Keep in step with the
# table in docs/architecture.md.
LAYERS: dict[str, int] = {
    "convivencia": SITE,  # settings, urls, wsgi, __main__, demo, testing
    "convivencia.env": TOOLKIT,
    "convivencia.core": TOOLKIT,
    # The core app also hosts the site's own pages and commands (see the doc).
    "convivencia.core.views.home": SITE,
    "convivencia.core.urls": SITE,
    "convivencia.core.setup": SITE,
    "convivencia.core.doctor": SITE,
    "convivencia.core.context_processors": SITE,
    "convivencia.core.management.commands.doctor": SITE,
    "convivencia.core.management.commands.load_demo": SITE,
    "convivencia.territories": PLATFORM,
    "convivencia.accounts": PLATFORM,
    "convivencia.jobs": PLATFORM,
    # The API toolkit every app's api.py builds on; api.api composes the routers (site).
    "convivencia.api.errors": PLATFORM,
    "convivencia.api.pagination": PLATFORM,
    "convivencia.api.auth": PLATFORM,
    "convivencia.api": SITE,
    "convivencia.evidence": DOMAIN,
    "convivencia.panels": DOMAIN,
    "convivencia.indicators": DOMAIN,
    "convivencia.dialogues": DOMAIN,
    "convivencia.studies": DOMAIN,
    "convivencia.network": DOMAIN,
    "convivencia.reports": SITE,
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    path: pathlib.Path
    line: int
    target: str  # the imported module, dotted
    name: str | None  # the name taken from it, for ``from … import name``
    text: str  # the statement as written

    def where(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def module_name(path: pathlib.Path, root: pathlib.Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(path: pathlib.Path) -> bool:
    return path.name == "__init__.py"


def layer_of(module: str) -> int | None:
    best = None
    for prefix in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and (
            best is None or len(prefix) > len(best)
        ):
            best = prefix
    return None if best is None else LAYERS[best]


def package_of(module: str) -> str:
    """The app a module belongs to ("convivencia" for the top-level site modules)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and _is_app(parts[1])) else parts[0]


def _is_app(name: str) -> bool:
    return (SOURCE / "convivencia" / name).is_dir()


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def collect(root: pathlib.Path) -> tuple[dict[str, pathlib.Path], list[Import]]:
    """Every module under root/convivencia (migrations excepted) and every import in it."""
    modules: dict[str, pathlib.Path] = {}
    for path in sorted((root / "convivencia").rglob("*.py")):
        if "migrations" not in path.parts:
            modules[module_name(path, root)] = path
    imports: list[Import] = []
    for source, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        imports.extend(_imports(tree, source, path, modules))
    return modules, imports


def _imports(
    tree: ast.AST, source: str, path: pathlib.Path, modules: dict[str, pathlib.Path]
) -> list[Import]:
    found: list[Import] = []
    bound: dict[str, str] = {}  # local name -> module it stands for, for ``module._private``
    for node in ast.walk(tree):
        text = ast.unparse(node) if isinstance(node, ast.Import | ast.ImportFrom) else ""
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("convivencia"):
                    found.append(Import(source, path, node.lineno, alias.name, None, text))
                    if alias.asname:
                        bound[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, source, is_package(path))
            if not base.startswith("convivencia"):
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    found.append(Import(source, path, node.lineno, submodule, None, text))
                    bound[alias.asname or alias.name] = submodule
                else:
                    found.append(Import(source, path, node.lineno, base, alias.name, text))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
            and is_private(node.attr)
        ):
            found.append(
                Import(
                    source, path, node.lineno, bound[node.value.id], node.attr, ast.unparse(node)
                )
            )
    return found


def _absolute(node: ast.ImportFrom, source: str, from_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = source.split(".")
    # A package's relative imports start from the package itself, a module's from its parent.
    keep = len(parts) - node.level + (1 if from_package else 0)
    return ".".join([*parts[:keep], *([node.module] if node.module else [])])


def violations(imports: list[Import]) -> list[str]:
    problems = []
    for found in imports:
        source_layer, target_layer = layer_of(found.source), layer_of(found.target)
        if source_layer is None or target_layer is None:
            continue  # reported by test_every_module_has_a_layer
        if target_layer > source_layer:
            problems.append(
                f"{found.where()}  ({LAYER_NAMES[source_layer]} {found.source} imports "
                f"{LAYER_NAMES[target_layer]} {found.target}: imports go down, never up)"
            )
        if package_of(found.source) == package_of(found.target):
            continue
        private_module = next((part for part in found.target.split(".") if is_private(part)), None)
        if private_module or (found.name and is_private(found.name)):
            problems.append(
                f"{found.where()}  ({found.source} uses a private name of "
                f"{package_of(found.target)}: make it public or keep it in its app)"
            )
    return list(dict.fromkeys(problems))  # one line per statement, not per imported name


def domain_cycles(imports: list[Import]) -> list[str]:
    """Cycles between domain apps, each shown with one import per step."""
    edges: dict[str, dict[str, Import]] = {}
    for found in imports:
        source, target = package_of(found.source), package_of(found.target)
        if source != target and layer_of(found.source) == layer_of(found.target) == DOMAIN:
            edges.setdefault(source, {}).setdefault(target, found)
    cycles: list[str] = []
    seen: set[frozenset[str]] = set()

    def walk(package: str, trail: list[str]) -> None:
        for target in sorted(edges.get(package, {})):
            if target in trail:
                cycle = [*trail[trail.index(target) :], target]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    steps = [edges[a][b].where() for a, b in itertools.pairwise(cycle)]
                    cycles.append(" -> ".join(cycle) + "\n    " + "\n    ".join(steps))
            else:
                walk(target, [*trail, target])

    for package in sorted(edges):
        walk(package, [package])
    return cycles


@pytest.fixture(scope="module")
def project() -> tuple[dict[str, pathlib.Path], list[Import]]:
    return collect(SOURCE)


def test_every_module_has_a_layer(project):
    modules, _imports = project
    assert len(modules) > 100  # the walk really read the project
    missing = [str(path) for module, path in modules.items() if layer_of(module) is None]
    assert not missing, "Give these a layer in LAYERS and docs/architecture.md:\n" + "\n".join(
        missing
    )


def test_no_import_runs_up_a_layer_or_into_another_apps_private_names(project):
    _modules, imports = project
    problems = violations(imports)
    assert not problems, "See docs/architecture.md (Layers):\n" + "\n".join(problems)


def test_the_domain_apps_depend_on_each_other_without_a_cycle(project):
    _modules, imports = project
    cycles = domain_cycles(imports)
    assert not cycles, "Domain apps import each other in a cycle:\n" + "\n".join(cycles)


def _tree(tmp_path: pathlib.Path, files: dict[str, str]) -> list[Import]:
    for name, text in files.items():
        path = tmp_path / "convivencia" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return collect(tmp_path)[1]


def test_the_check_catches_a_lazy_upward_import_with_its_file_and_line(tmp_path):
    imports = _tree(
        tmp_path,
        {
            "territories/__init__.py": "",
            "territories/services.py": """
            def page():
                from convivencia.panels.summary import panel_summary
                return panel_summary
        """,
            "panels/__init__.py": "",
            "panels/summary.py": "def panel_summary(): ...\n",
        },
    )
    [problem] = violations(imports)
    assert "territories/services.py:3:" in problem
    assert "from convivencia.panels.summary import panel_summary" in problem
    assert "platform convivencia.territories.services imports domain" in problem


def test_the_check_catches_another_apps_private_names_but_not_its_own(tmp_path):
    imports = _tree(
        tmp_path,
        {
            "panels/__init__.py": "",
            "panels/aggregates.py": "def _scored(item): ...\n",
            "panels/charts.py": "from convivencia.panels.aggregates import _scored\n",
            "panels/_helpers.py": "",
            "dialogues/__init__.py": "",
            "dialogues/forms.py": """
            from convivencia.panels import aggregates
            from convivencia.panels.aggregates import _scored
            from convivencia.panels import _helpers
            aggregates._scored(None)
        """,
        },
    )
    problems = violations(imports)
    assert len(problems) == 3
    assert all("dialogues/forms.py" in problem for problem in problems)
    assert sorted(int(problem.split(":")[1]) for problem in problems) == [3, 4, 5]


def test_the_check_catches_a_cycle_between_domain_apps(tmp_path):
    imports = _tree(
        tmp_path,
        {
            "panels/__init__.py": "",
            "panels/views.py": "from convivencia.dialogues import models\n",
            "dialogues/__init__.py": "",
            "dialogues/models.py": "def later():\n    from convivencia.panels import views\n",
        },
    )
    [cycle] = domain_cycles(imports)
    assert cycle.startswith("dialogues -> panels -> dialogues")
    assert "dialogues/models.py:2:" in cycle and "panels/views.py:1:" in cycle


# --- the app layout (docs/architecture.md, "One app layout") --------------------------------

APPS_DIR = SOURCE / "convivencia"
# Modules at an app's top level that hold views or URLs under another name than the layout's.
MISPLACED = re.compile(r"(^|_)(views?|urls)(_|$)")


def apps() -> list[pathlib.Path]:
    return sorted(path.parent for path in APPS_DIR.glob("*/apps.py"))


def layout_departures(app: pathlib.Path) -> list[str]:
    """What in one app is not where docs/architecture.md puts it."""
    found: list[str] = []
    modules = {path.stem for path in app.glob("*.py")}
    for name in sorted(modules - {"views", "urls"}):
        if MISPLACED.search(name):
            found.append(f"{app.name}/{name}.py: views go in views.py or views/, URLs in urls.py")
    if "views" in modules and (app / "views").is_dir():
        found.append(f"{app.name}: both views.py and views/")
    for name in sorted(modules):
        if re.search(r"(^|_)importer?s?($|_)|file_import", name):
            found.append(f"{app.name}/{name}.py: file readers go in importers/")
    views = [app / "views.py", *sorted((app / "views").glob("*.py"))]
    for path in [*views, app / "urls.py", app / "api.py"]:
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if (
                isinstance(node, ast.ClassDef)
                and path.stem != "api"
                and any(
                    getattr(base, "attr", getattr(base, "id", "")).endswith(("Form", "FormSet"))
                    for base in node.bases
                )
            ):
                found.append(
                    f"{path.relative_to(app.parent)}: form {node.name} belongs in forms.py"
                )
            if (
                isinstance(node, ast.FunctionDef)
                and node.name.endswith("_or_404")
                and path.stem != "api"
            ):
                found.append(
                    f"{path.relative_to(app.parent)}: access helper {node.name} belongs in "
                    "permissions.py"
                )
    return found


def test_every_app_follows_the_one_layout():
    assert len(apps()) >= 9  # the walk found the apps
    departures = [line for app in apps() for line in layout_departures(app)]
    assert not departures, "See docs/architecture.md, One app layout:\n" + "\n".join(departures)


def test_the_layout_check_catches_a_second_views_module_a_form_in_a_view_and_a_helper(tmp_path):
    app = tmp_path / "thing"
    (app / "views").mkdir(parents=True)
    (app / "apps.py").write_text("")
    (app / "curation_views.py").write_text("")
    (app / "views" / "pages.py").write_text(
        "from django import forms\n"
        "class ThingForm(forms.Form):\n    pass\n"
        "def _thing_or_404(request, pk):\n    pass\n"
    )
    (app / "importer.py").write_text("")
    found = "\n".join(layout_departures(app))
    assert "thing/curation_views.py" in found
    assert "form ThingForm belongs in forms.py" in found
    assert "access helper _thing_or_404 belongs in permissions.py" in found
    assert "thing/importer.py: file readers go in importers/" in found
