# A Cloud Run service (HTTPS only, Google-managed TLS) running as its own service account,
# which holds no role of its own: the resources the service uses grant it exactly their roles.

resource "google_service_account" "this" {
  account_id   = local.account_id
  project      = var.project_id
  display_name = "Cloud Run service ${var.name}"
}

resource "google_cloud_run_v2_service" "this" {
  name                = local.physical
  project             = var.project_id
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = true
  labels              = var.labels

  template {
    service_account = google_service_account.this.email
    # Below one vCPU Cloud Run serves one request at a time and bills per request only.
    max_instance_request_concurrency = var.cpu < 1 ? 1 : 80

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

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

      ports {
        container_port = var.port
      }

      resources {
        limits = {
          cpu    = tostring(var.cpu)
          memory = "${var.memory}Mi"
        }
        # below one vCPU Cloud Run bills per request only; from one vCPU CPU stays allocated
        cpu_idle = var.cpu < 1
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

      startup_probe {
        http_get {
          path = var.health_check_path
        }
      }

      liveness_probe {
        http_get {
          path = var.health_check_path
        }
      }
    }
  }
}

resource "google_cloud_run_v2_service_iam_member" "public" {
  #checkov:skip=CKV_GCP_102:A web application or public API is meant to be reached by anyone; set public = false for private ones
  count    = var.public ? 1 : 0
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.this.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
