output "connection" {
  description = "What the application needs to reach the bucket (no secrets)."
  value = {
    name = google_storage_bucket.this.name
    url  = google_storage_bucket.this.url
  }
}
