# Cloud SQL for PostgreSQL: private IP only, TLS required, audit and connection logging on.
# Each workload signs in as its own IAM database user (its service account, IAM database
# authentication through the Cloud SQL connector): no workload holds a password. The
# administrator's password is generated (random_password) and kept in Secret Manager, which no
# workload may read.

locals {
  tier = {
    small  = "db-custom-1-3840"
    medium = "db-custom-2-7680"
    large  = "db-custom-4-15360"
    xlarge = "db-custom-8-30720"
  }[var.size]
  # Cloud SQL names an IAM service account user by its email without ".gserviceaccount.com".
  iam_users = { for workload, member in var.client_members :
  workload => trimsuffix(trimprefix(member, "serviceAccount:"), ".gserviceaccount.com") }
  # The database as created (letters, digits and '_'); the adapters read PGDATABASE_<NAME>.
  database_variable = "PGDATABASE_${upper(replace(var.name, "-", "_"))}"
}

resource "google_sql_database_instance" "this" {
  #checkov:skip=CKV_GCP_79:The major version is pinned (17, supported for years) so that major upgrades are planned, not automatic
  #checkov:skip=CKV_GCP_6:ssl_mode = ENCRYPTED_ONLY refuses every unencrypted connection; client certificates would be one more secret to hand out
  name                = local.instance
  depends_on          = [terraform_data.private_services]
  project             = var.project_id
  region              = var.region
  database_version    = "POSTGRES_17"
  deletion_protection = true

  settings {
    tier                        = local.tier
    edition                     = "ENTERPRISE"
    availability_type           = var.high_availability ? "REGIONAL" : "ZONAL"
    disk_size                   = var.storage_gb
    disk_autoresize             = true
    user_labels                 = var.labels
    deletion_protection_enabled = true

    ip_configuration {
      ipv4_enabled    = false
      private_network = var.network_id
      ssl_mode        = "ENCRYPTED_ONLY"
    }

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
      backup_retention_settings {
        retained_backups = var.backup_retention_days
      }
    }

    database_flags {
      name  = "log_checkpoints"
      value = "on"
    }
    database_flags {
      name  = "log_connections"
      value = "on"
    }
    database_flags {
      name  = "log_disconnections"
      value = "on"
    }
    database_flags {
      name  = "log_lock_waits"
      value = "on"
    }
    database_flags {
      name  = "log_min_messages"
      value = "error"
    }
    database_flags {
      name  = "log_min_error_statement"
      value = "error"
    }
    database_flags {
      name  = "log_temp_files"
      value = "0"
    }
    database_flags {
      name  = "log_min_duration_statement"
      value = "-1"
    }
    database_flags {
      name  = "log_statement"
      value = "ddl"
    }
    database_flags {
      name  = "log_duration"
      value = "on"
    }
    database_flags {
      name  = "log_hostname"
      value = "on"
    }
    database_flags {
      name  = "cloudsql.iam_authentication"
      value = "on"
    }
    database_flags {
      name  = "cloudsql.enable_pgaudit"
      value = "on"
    }
  }
}

resource "google_sql_database" "this" {
  name     = replace(var.name, "-", "_")
  project  = var.project_id
  instance = google_sql_database_instance.this.name
}

resource "random_password" "admin" {
  length  = 32
  special = false
}

# The administrator (runs grant_sql); its password is readable by project owners only.
resource "google_sql_user" "admin" {
  name     = "infrar_admin"
  project  = var.project_id
  instance = google_sql_database_instance.this.name
  password = random_password.admin.result
}

resource "google_secret_manager_secret" "password" {
  secret_id = "${local.instance}-db-admin-password"
  project   = var.project_id
  labels    = var.labels
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "password" {
  secret      = google_secret_manager_secret.password.id
  secret_data = random_password.admin.result
}

# One IAM database user per workload: its service account, signing in with IAM tokens.
resource "google_sql_user" "workload" {
  for_each = local.iam_users
  name     = each.value
  project  = var.project_id
  instance = google_sql_database_instance.this.name
  type     = "CLOUD_IAM_SERVICE_ACCOUNT"
}

# cloudsql.client: connect through the connector (cloudsql.instances.connect, .get); this instance only.
resource "google_project_iam_member" "client" {
  for_each = var.client_members
  project  = var.project_id
  role     = "roles/cloudsql.client"
  member   = each.value
  condition {
    title      = "only-${var.name}"
    expression = "resource.name == 'projects/${var.project_id}/instances/${google_sql_database_instance.this.name}'"
  }
}

# cloudsql.instanceUser: sign in with IAM database authentication (cloudsql.instances.login).
resource "google_project_iam_member" "instance_user" {
  for_each = var.client_members
  project  = var.project_id
  role     = "roles/cloudsql.instanceUser"
  member   = each.value
  condition {
    title      = "only-${var.name}"
    expression = "resource.name == 'projects/${var.project_id}/instances/${google_sql_database_instance.this.name}'"
  }
}

# The Cloud SQL connector the workloads sign in through calls the Cloud SQL Admin API.
resource "google_project_service" "sqladmin" {
  project            = var.project_id
  service            = "sqladmin.googleapis.com"
  disable_on_destroy = false
}

# Orders this module after the private services peering it takes its private IP from.
resource "terraform_data" "private_services" {
  input = var.private_services_connection
}
