# A private GKE Standard cluster: private nodes, Workload Identity, Shielded nodes with secure
# boot, network policy, Binary Authorization, the REGULAR release channel. Pods running as the
# workload service account are the `member` the project's resources grant their roles to.

locals {
  machine_type = { small = "e2-standard-2", medium = "e2-standard-4", large = "e2-standard-8", xlarge = "e2-standard-16" }[var.node_size]
  # A /28 of 172.16.0.0/16 for the control plane: a block of 16 chosen by a hash of the Google Cloud
  # project and the deployment's prefix, then the cluster's own slot in it (cluster_index), so the
  # clusters of one deployment never ask for the same range and two deployments on one network
  # rarely do (set master_ipv4_cidr_block to choose).
  master_ipv4_cidr_block = coalesce(var.master_ipv4_cidr_block,
  cidrsubnet("172.16.0.0/16", 12, parseint(substr(sha1("${var.project_id}/${var.name_prefix}"), 0, 2), 16) * 16 + var.cluster_index))
}

resource "google_service_account" "nodes" {
  account_id   = local.account_id
  project      = var.project_id
  display_name = "Nodes of GKE cluster ${var.name}"
}

resource "google_project_iam_member" "nodes" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/artifactregistry.reader"])
  project  = var.project_id
  role     = each.value
  member   = "serviceAccount:${google_service_account.nodes.email}"
}

resource "google_container_cluster" "this" {
  #checkov:skip=CKV_GCP_65:Google Groups for RBAC needs a Workspace domain the organisation owns
  name                        = local.physical
  project                     = var.project_id
  location                    = var.region
  network                     = var.network_id
  min_master_version          = var.kubernetes_version
  remove_default_node_pool    = true
  initial_node_count          = 1
  deletion_protection         = true
  enable_shielded_nodes       = true
  enable_intranode_visibility = true
  resource_labels             = var.labels

  release_channel {
    channel = "REGULAR"
  }

  ip_allocation_policy {}

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = true
    master_ipv4_cidr_block  = local.master_ipv4_cidr_block
  }

  master_authorized_networks_config {}

  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }

  network_policy {
    enabled = true
  }

  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  node_config {
    service_account = google_service_account.nodes.email
    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }
}

resource "google_container_node_pool" "this" {
  name       = "${var.name}-nodes"
  project    = var.project_id
  location   = var.region
  cluster    = google_container_cluster.this.name
  node_count = var.node_count

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  node_config {
    machine_type    = local.machine_type
    image_type      = "COS_CONTAINERD"
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    labels          = var.labels

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }
}

data "google_project" "this" {
  project_id = var.project_id
}
