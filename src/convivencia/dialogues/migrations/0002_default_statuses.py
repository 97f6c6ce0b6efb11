from django.db import migrations

# (code, names, default progress, final, claims completion)
STATUSES = [
    ("not_started", {"es": "Sin iniciar", "en": "Not started", "pt": "Não iniciado"}, 0, False,
     False),
    ("in_progress", {"es": "En curso", "en": "In progress", "pt": "Em andamento"}, 25, False,
     False),
    ("delayed", {"es": "Retrasado", "en": "Delayed", "pt": "Atrasado"}, 25, False, False),
    ("reported_done", {"es": "Reportado como cumplido", "en": "Reported done",
                       "pt": "Informado como cumprido"}, 100, False, True),
    ("verified", {"es": "Cumplido y verificado", "en": "Done and verified",
                  "pt": "Cumprido e verificado"}, 100, True, False),
    ("cancelled", {"es": "Cancelado", "en": "Cancelled", "pt": "Cancelado"}, 0, True, False),
]


def forward(apps, schema_editor):
    CommitmentStatus = apps.get_model("dialogues", "CommitmentStatus")
    for position, (code, name, progress, final, claims) in enumerate(STATUSES):
        CommitmentStatus.objects.update_or_create(
            code=code,
            defaults={"name": name, "default_progress": progress, "is_final": final,
                      "claims_completion": claims, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("dialogues", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
