# Private services access: the address range Google's managed services (Cloud SQL, Memorystore)
# take their private IPs from, peered with the project's network. Created once per network.

resource "google_compute_global_address" "this" {
  name          = "${var.name_prefix == "" ? "${var.name}-" : var.name_prefix}private-services"
  project       = var.project_id
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = var.prefix_length
  network       = var.network_id
}

resource "google_service_networking_connection" "this" {
  network                 = var.network_id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.this.name]
}
