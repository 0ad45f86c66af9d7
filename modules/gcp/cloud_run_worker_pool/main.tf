# A background worker without a schedule: a Cloud Run worker pool, whose instances run
# continuously (no request, no port), as its own service account with no project role: the
# resources it uses grant it their roles.

resource "google_service_account" "this" {
  account_id   = local.account_id
  project      = var.project_id
  display_name = "Cloud Run worker pool ${var.name}"
}

resource "google_cloud_run_v2_worker_pool" "this" {
  name                = local.physical
  project             = var.project_id
  location            = var.region
  deletion_protection = true
  launch_stage        = "BETA"
  labels              = var.labels

  scaling {
    scaling_mode          = "MANUAL"
    manual_instance_count = max(var.min_instances, 1)
  }

  template {
    service_account = google_service_account.this.email

    dynamic "volumes" {
      for_each = var.secret_files
      content {
        name = "secret-${index(sort(keys(var.secret_files)), volumes.key)}"
        secret {
          secret = volumes.value
          items {
            version = "latest"
            path    = "ca.pem"
          }
        }
      }
    }

    dynamic "vpc_access" {
      for_each = var.network_id == null ? [] : [var.network_id]
      content {
        egress = "PRIVATE_RANGES_ONLY"
        network_interfaces {
          network    = vpc_access.value
          subnetwork = var.subnetwork_id
        }
      }
    }

    containers {
      image = var.container_image

      resources {
        limits = {
          cpu    = tostring(var.cpu)
          memory = "${var.memory}Mi"
        }
      }

      dynamic "env" {
        for_each = merge(var.env, var.environment)
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = var.secret_environment
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = env.value
              version = "latest"
            }
          }
        }
      }

      dynamic "volume_mounts" {
        for_each = var.secret_files
        content {
          name       = "secret-${index(sort(keys(var.secret_files)), volume_mounts.key)}"
          mount_path = volume_mounts.key
        }
      }
    }
  }
}
