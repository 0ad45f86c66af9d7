output "member" {
  description = "IAM member of the worker pool's identity: resources grant their roles to it."
  value       = "serviceAccount:${google_service_account.this.email}"
}

output "worker_pool" {
  description = "Full name of the Cloud Run worker pool."
  value       = google_cloud_run_v2_worker_pool.this.id
}
