output "member" {
  description = "IAM member of the service's identity: resources grant their roles to it."
  value       = "serviceAccount:${google_service_account.this.email}"
}

output "url" {
  description = "HTTPS address of the service."
  value       = google_cloud_run_v2_service.this.uri
}
