output "connection" {
  description = "The dataset to query (no secrets)."
  value = {
    project = google_bigquery_dataset.this.project
    dataset = google_bigquery_dataset.this.dataset_id
  }
}

output "environment" {
  description = "What the gcp data adapter reads for jobs: region, image, identities and the scripts location (no secrets)."
  value = {
    CLOUD_RUN_REGION              = var.region
    CLOUD_RUN_JOB_IMAGE           = var.job_image
    CLOUD_RUN_JOB_SERVICE_ACCOUNT = google_service_account.job.email
    GCS_SCRIPTS                   = "gs://${module.scripts.connection.name}/scripts/"
    SCHEDULER_SERVICE_ACCOUNT     = google_service_account.scheduler.email
  }
}

output "job_member" {
  description = "IAM member the jobs run as: the resources the workloads starting jobs use grant it their roles too."
  value       = google_service_account.job.member
}
