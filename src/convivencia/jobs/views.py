from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from convivencia.core.htmx import is_htmx
from convivencia.jobs.models import Job


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.visible_to(request.user).select_related("created_by")[:100]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@login_required
def job_detail(request: HttpRequest, job_id) -> HttpResponse:
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=job_id)
    # htmx polls this page for the status fragment until the job ends.
    template = "jobs/_status.html" if is_htmx(request) else "jobs/job_detail.html"
    return render(request, template, {"job": job})
