output "connection" {
  description = "What the application needs to reach the bucket (no secrets)."
  value = {
    name = google_storage_bucket.this.name
    url  = google_storage_bucket.this.url
  }
}

output "environment" {
  description = "The deployed name under the variable the storage adapters read (infrar.providers._names)."
  value       = { "BUCKET_NAME_${upper(replace(var.name, "/[^a-zA-Z0-9]/", "_"))}" = google_storage_bucket.this.name }
}
