output "connection" {
  description = "Id of the peering: modules that need private services access take it, so they are created after it."
  value       = google_service_networking_connection.this.id
}
