output "member" {
  description = "IAM member of the job's identity: resources grant their roles to it."
  value       = "serviceAccount:${google_service_account.this.email}"
}

output "job" {
  description = "Full name of the Cloud Run job."
  value       = google_cloud_run_v2_job.this.id
}
