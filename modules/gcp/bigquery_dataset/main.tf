# A BigQuery dataset: private (no allUsers/allAuthenticatedUsers), encrypted at rest by Google;
# the workloads that use it may edit its tables and run query jobs.

resource "google_bigquery_dataset" "this" {
  #checkov:skip=CKV_GCP_81:BigQuery encrypts every table at rest with Google-managed keys; CMEK is an organisation choice
  dataset_id                 = replace(var.name, "-", "_")
  project                    = var.project_id
  location                   = var.region
  description                = "infrar warehouse ${var.name}"
  delete_contents_on_destroy = false
  labels                     = var.labels
}

resource "google_bigquery_dataset_iam_member" "editor" {
  for_each   = toset(var.members)
  project    = var.project_id
  dataset_id = google_bigquery_dataset.this.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = each.value
}

resource "google_project_iam_member" "job_user" {
  for_each = toset(var.members)
  project  = var.project_id
  role     = "roles/bigquery.jobUser"
  member   = each.value
}
