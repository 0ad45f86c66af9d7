output "connection" {
  description = "Where the database is and which secret holds the password (its id, never the password)."
  value = {
    host            = google_sql_database_instance.this.private_ip_address
    port            = "5432"
    database        = google_sql_database.this.name
    username        = google_sql_user.app.name
    connection_name = google_sql_database_instance.this.connection_name
    password_secret = google_secret_manager_secret.password.id
  }
}

output "environment" {
  description = "libpq's variables for the workloads that use this database (private IP, TLS; the password is in secret_environment)."
  value = {
    PGHOST    = google_sql_database_instance.this.private_ip_address
    PGPORT    = "5432"
    PGUSER    = google_sql_user.app.name
    PGSSLMODE = "require"
  }
}

output "secret_environment" {
  description = "PGPASSWORD by the Secret Manager secret that holds it (Cloud Run injects it)."
  value       = { PGPASSWORD = google_secret_manager_secret.password.id }
}
