output "connection" {
  description = "The dataset to query (no secrets)."
  value = {
    project = google_bigquery_dataset.this.project
    dataset = google_bigquery_dataset.this.dataset_id
  }
}
