# One private Cloud Storage bucket: uniform access, public access prevented, versioned;
# encrypted at rest by Google; only the workloads that use it may read and write objects.

locals {
  # Bucket names are global: <project>-<environment>-<name>, cut to leave room for a hash of the
  # Google Cloud project and that name, so the same project deployed twice gets two buckets.
  # At most 63 lowercase letters, digits and hyphens (Cloud Storage's rules).
  qualified = "${var.name_prefix}${var.name}"
  bucket    = "${trimsuffix(substr(local.qualified, 0, 54), "-")}-${substr(sha1("${var.project_id}/${local.qualified}"), 0, 8)}"
}

resource "google_storage_bucket" "this" {
  #checkov:skip=CKV_GCP_78:Versioning follows the project's versioning setting; a bucket declared without it keeps one copy of each object by choice
  #checkov:skip=CKV_GCP_62:Access logs go to a log bucket the organisation chooses (Cloud Audit Logs record data access)
  name                        = local.bucket
  project                     = var.project_id
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = var.labels

  versioning {
    enabled = var.versioning
  }

  lifecycle_rule {
    condition {
      age = 7
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  dynamic "lifecycle_rule" {
    for_each = var.expire_days == null ? [] : [var.expire_days]
    content {
      condition {
        age = lifecycle_rule.value
      }
      action {
        type = "Delete"
      }
    }
  }
}

resource "google_storage_bucket_iam_member" "object_user" {
  for_each = toset(var.members)
  bucket   = google_storage_bucket.this.name
  role     = "roles/storage.objectUser"
  member   = each.value
}
