output "connection" {
  description = "Id of the peering: modules that need private services access take it, so they are created after it."
  value       = var.existing_private_services_connection == "" ? google_service_networking_connection.this[0].id : var.existing_private_services_connection
}
