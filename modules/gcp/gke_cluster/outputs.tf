output "member" {
  description = "Workload Identity member of the workload service account: resources grant their roles to it."
  value       = "principal://iam.googleapis.com/projects/${data.google_project.this.number}/locations/global/workloadIdentityPools/${var.project_id}.svc.id.goog/subject/ns/${var.workload_namespace}/sa/${var.workload_service_account}"
}

output "endpoint" {
  description = "Private endpoint of the cluster's control plane."
  value       = google_container_cluster.this.endpoint
}
