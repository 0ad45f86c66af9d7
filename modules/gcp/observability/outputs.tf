output "connection" {
  description = "Where the log entries are kept and the alert policy that watches them."
  value = {
    log_bucket   = google_logging_project_bucket_config.this.id
    sink         = google_logging_project_sink.this.id
    alert_policy = google_monitoring_alert_policy.errors.name
  }
}

output "environment" {
  description = "Variables for the workloads: none here (GOOGLE_CLOUD_PROJECT is the root's, OTEL_SERVICE_NAME each workload's)."
  value       = {}
}

output "roles" {
  description = "Project roles each member of var.members is granted (to send logs, metrics and traces)."
  value       = local.roles
}
