# Private services access: the address range Google's managed services (Cloud SQL, Memorystore)
# take their private IPs from, peered with the project's network.
#
# A network has one service networking connection, and a second deployment's connection would
# replace the first's ranges: a deployment into a network that already has one (another
# environment of the project, or a shared VPC set up by its owners) takes it
# (existing_private_services_connection: the first deployment's module.private_services.connection)
# and creates neither range nor connection.

resource "google_compute_global_address" "this" {
  count         = var.existing_private_services_connection == "" ? 1 : 0
  name          = "${var.name_prefix == "" ? "${var.name}-" : var.name_prefix}private-services"
  project       = var.project_id
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = var.prefix_length
  network       = var.network_id
}

resource "google_service_networking_connection" "this" {
  count                   = var.existing_private_services_connection == "" ? 1 : 0
  network                 = var.network_id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.this[0].name]
}
