"""Several phones send the same OpenRosa submission at the same moment, on a SQLite file.

Run in a fresh process by ``test_openrosa``:
``python tests/panels/concurrent_openrosa.py DB_FILE THREADS`` (not with -m: the tests
package needs Django set up first). A fresh process because the suite's own SQLite
database lives in memory, where locking works differently. Each thread is one request
with its own database connection, as in a threaded web server. Prints a JSON line: the
status of every answer, the submissions stored, and the errors raised.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path


def main(db_file: str, threads: int) -> dict:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    os.environ.setdefault("CONTACT_ENCRYPTION_KEY", "dGVzdC1vbmx5LWtleS1ub3QtZm9yLXByb2R1Y3Rpb24=")
    os.environ.setdefault("LANGUAGE_CODE", "en")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivencia.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from convivencia.accounts.choices import Role
    from convivencia.accounts.models import ApiToken
    from convivencia.panels import services
    from convivencia.panels.models import Panel, Respondent, Submission
    from convivencia.panels.questionnaire_default import ensure_default_questionnaire
    from tests.factories import grant, make_colombia, make_organisation, make_user
    from tests.panels.test_openrosa import ANSWERS, basic, instance

    # Tables straight from the models, as pytest-django's --nomigrations does: a few
    # seconds instead of replaying every migration.
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    places = make_colombia()
    panel = Panel.objects.create(
        code="popayan", territory=places.popayan, questionnaire=ensure_default_questionnaire()
    )
    Respondent.objects.create(panel=panel, code="R001", role="jac")
    services.open_wave(panel, "2024-03", None)
    esteban = make_user("esteban")
    grant(esteban, make_organisation("Programa"), Role.ENUMERATOR, [places.popayan])
    # A token, not the password: Argon2 would spread the requests out in time.
    _token, secret = ApiToken.issue(esteban, "ODK Collect")
    xml = instance(ANSWERS, end="2024-03-20T10:00:00.000-05:00")
    address = reverse("panels:collection:submission", args=[panel.code])
    connection.close()

    start = threading.Barrier(threads)
    statuses: list[int] = []
    errors: list[str] = []

    def send() -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        client = Client(raise_request_exception=False)
        upload = SimpleUploadedFile("submission.xml", xml, content_type="text/xml")
        start.wait()
        try:
            response = client.post(
                address, {"xml_submission_file": upload}, headers=basic("esteban", secret)
            )
            statuses.append(response.status_code)
        except Exception as exc:  # reported, so the test shows what went wrong
            errors.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=send) for _number in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {"statuses": sorted(statuses), "stored": Submission.objects.count(), "errors": errors}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
