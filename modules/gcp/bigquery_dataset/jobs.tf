# What infrar.data.run_job needs on GCP: a bucket for job scripts (../gcs_bucket), the identity
# the Cloud Run jobs run as, and the identity Cloud Scheduler starts scheduled runs as. Job names
# are chosen by the program at run time, so the Cloud Run and Scheduler grants are project-wide.

module "scripts" {
  source      = "../gcs_bucket"
  name        = coalesce(var.scripts_bucket_name, "${replace(var.name, "_", "-")}-jobs")
  name_prefix = var.name_prefix # the bucket module makes the name globally unique
  project_id  = var.project_id
  region      = var.region
  labels      = var.labels
  members     = var.members # the workloads upload the scripts
}

resource "google_service_account" "job" {
  project      = var.project_id
  account_id   = local.job_account_id
  display_name = "Cloud Run jobs of infrar warehouse ${var.name}"
}

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = local.scheduler_account_id
  display_name = "Cloud Scheduler starting the jobs of infrar warehouse ${var.name}"
}

# The jobs: this dataset's tables, query jobs, and reading their scripts.
resource "google_bigquery_dataset_iam_member" "job_editor" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.this.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.job.member
}

resource "google_project_iam_member" "job_query" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = google_service_account.job.member
}

resource "google_storage_bucket_iam_member" "job_scripts" {
  bucket = module.scripts.connection.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.job.member
}

# The scheduler: jobs.run (roles/run.invoker) and nothing else.
resource "google_project_iam_member" "scheduler_run" {
  project = var.project_id
  role    = "roles/run.invoker"
  member  = google_service_account.scheduler.member
}

# The workloads: define and run Cloud Run jobs, define schedules, and hand the two identities to them.
resource "google_project_iam_member" "run_developer" {
  for_each = toset(var.members)
  project  = var.project_id
  role     = "roles/run.developer"
  member   = each.value
}

resource "google_project_iam_member" "scheduler_admin" {
  for_each = toset(var.members)
  project  = var.project_id
  role     = "roles/cloudscheduler.admin"
  member   = each.value
}

resource "google_service_account_iam_member" "act_as_job" {
  for_each           = toset(var.members)
  service_account_id = google_service_account.job.name
  role               = "roles/iam.serviceAccountUser"
  member             = each.value
}

resource "google_service_account_iam_member" "act_as_scheduler" {
  for_each           = toset(var.members)
  service_account_id = google_service_account.scheduler.name
  role               = "roles/iam.serviceAccountUser"
  member             = each.value
}
