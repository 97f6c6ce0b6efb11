"""The standard data elements and indicators (homicides, the homicide rate, …) on every
installation after ``migrate``, not only where the demo was loaded: the indicators API
and explorer answer for them as soon as crime and population data are imported."""

from django.db import migrations

from convivencia.indicators.presets import ensure_presets


def forward(apps, schema_editor):
    # update_or_create by code: running again (or over the demo's copies) changes nothing.
    ensure_presets(apps, schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0006_total_without_element_index")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
