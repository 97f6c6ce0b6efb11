from django.contrib import admin

from convivencia.core.models import DemoDataset

admin.site.register(DemoDataset)
