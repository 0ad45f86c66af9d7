output "connection" {
  description = "Where the cache is and which secret holds its AUTH string (the id, never the string)."
  value = {
    host        = google_redis_instance.this.host
    port        = tostring(google_redis_instance.this.port)
    tls         = "true"
    auth_secret = google_secret_manager_secret.auth.id
  }
}
