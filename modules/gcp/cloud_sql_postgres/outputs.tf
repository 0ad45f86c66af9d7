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
