# A background worker as a Cloud Run job, running as its own service account (no project role:
# the resources it uses grant it their roles), optionally started by Cloud Scheduler.

resource "google_service_account" "this" {
  account_id   = local.account_id
  project      = var.project_id
  display_name = "Cloud Run job ${var.name}"
}

resource "google_cloud_run_v2_job" "this" {
  name                = local.physical
  project             = var.project_id
  location            = var.region
  deletion_protection = true
  labels              = var.labels

  template {
    # one run per tick: a single task (max_instances would start that many copies of the worker)
    task_count  = 1
    parallelism = 1

    template {
      service_account = google_service_account.this.email
      max_retries     = 3

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
}

resource "google_cloud_run_v2_job_iam_member" "scheduler" {
  count    = var.schedule == null ? 0 : 1
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_job.this.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.this.email}"
}

resource "google_cloud_scheduler_job" "this" {
  count     = var.schedule == null ? 0 : 1
  name      = "${local.physical}-schedule"
  project   = var.project_id
  region    = var.region
  schedule  = var.schedule
  time_zone = "Etc/UTC"

  http_target {
    http_method = "POST"
    uri         = "https://run.googleapis.com/v2/${google_cloud_run_v2_job.this.id}:run"
    oauth_token {
      service_account_email = google_service_account.this.email
    }
  }
}
