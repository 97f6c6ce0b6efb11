from django_tasks import task

from convivencia.jobs import services


@task()
def run_job(job_id: str) -> str:
    job = services.run(job_id)
    return job.status
