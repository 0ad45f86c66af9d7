output "connection" {
  description = "The dataset to query (no secrets)."
  value = {
    project = google_bigquery_dataset.this.project
    dataset = google_bigquery_dataset.this.dataset_id
  }
}

output "environment" {
  description = "What the gcp data adapter reads for jobs: region, image, identities, the scripts location and the network jobs reach private resources in (no secrets)."
  value = {
    CLOUD_RUN_REGION              = var.region
    CLOUD_RUN_JOB_IMAGE           = var.job_image
    CLOUD_RUN_JOB_SERVICE_ACCOUNT = google_service_account.job.email
    GCS_SCRIPTS                   = "gs://${module.scripts.connection.name}/scripts/"
    SCHEDULER_SERVICE_ACCOUNT     = google_service_account.scheduler.email
    # the Cloud SQL IAM user of the job service account (a database's "<name>-jobs" client): the job
    # signs in as it (infrar.data.scripts carries INFRAR_JOB_<X> as <X>), not as its starter
    INFRAR_JOB_DB_IAM_USER = trimsuffix(google_service_account.job.email, ".gserviceaccount.com")
    # Direct VPC egress of the jobs the adapter creates (projects/P/global/networks/N; "" for none)
    CLOUD_RUN_JOB_NETWORK = var.job_network_id == null ? "" : replace(var.job_network_id, "https://www.googleapis.com/compute/v1/", "")
  }
}

output "job_member" {
  description = "IAM member the jobs run as: the resources the workloads starting jobs use grant it their roles too."
  value       = google_service_account.job.member
}
