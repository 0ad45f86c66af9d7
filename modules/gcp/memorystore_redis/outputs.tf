output "connection" {
  description = "Where the cache is and which secret holds its AUTH string (the id, never the string)."
  value = {
    host        = google_redis_instance.this.host
    port        = tostring(google_redis_instance.this.port)
    tls         = "true"
    auth_secret = google_secret_manager_secret.auth.id
  }
}

output "environment" {
  description = "REDIS_CA_FILE_<NAME>: where the workloads find this cache's server CA (mounted from secret_files)."
  value       = { (local.ca_variable) = "${local.ca_directory}/ca.pem" }
}

output "secret_environment" {
  description = "REDIS_URL_<NAME> (the cache adapter's variable for this cache) by the secret holding the URL."
  value       = { (local.url_variable) = google_secret_manager_secret.url.id }
}

output "secret_files" {
  description = "Directory -> secret mounted there as ca.pem (the server CA of REDIS_CA_FILE)."
  value       = { (local.ca_directory) = google_secret_manager_secret.ca.id }
}
