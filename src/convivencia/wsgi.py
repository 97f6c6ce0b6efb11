import os

from django.core.wsgi import get_wsgi_application

from convivencia.core.startup import settle_heap, warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivencia.settings")
application = get_wsgi_application()
warm_up()
settle_heap()
