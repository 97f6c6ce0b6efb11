from django.db import migrations

# One list of the default statuses, kept with the code that restores them after a flush.
from convivencia.dialogues.statuses import DEFAULT_STATUSES as STATUSES


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
