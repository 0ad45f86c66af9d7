output "connection" {
  description = "Where the database is and which secret holds the administrator's password (its id, never the password)."
  value = {
    host            = google_sql_database_instance.this.private_ip_address
    port            = "5432"
    database        = google_sql_database.this.name
    username        = google_sql_user.admin.name
    connection_name = google_sql_database_instance.this.connection_name
    password_secret = google_secret_manager_secret.password.id
  }
}

output "environment" {
  description = "The Cloud SQL connector's variables (private IP; IAM database authentication, no password) and PGDATABASE_<NAME>, the database's name on the server."
  value = {
    (local.database_variable) = google_sql_database.this.name
    INSTANCE_CONNECTION_NAME  = google_sql_database_instance.this.connection_name
    PRIVATE_IP                = "true"
  }
}

output "client_environment" {
  description = "By workload (client_members): the IAM database user it signs in as (DB_IAM_USER)."
  value       = { for workload, user in local.iam_users : workload => { DB_IAM_USER = user } }
}

output "grant_sql" {
  description = "SQL the administrator (infrar_admin, password in the Secret Manager secret of connection.password_secret) runs once in the database: each workload's IAM user may use it."
  value       = [for workload, user in local.iam_users : "GRANT CONNECT, TEMPORARY ON DATABASE \"${google_sql_database.this.name}\" TO \"${user}\"; GRANT USAGE, CREATE ON SCHEMA public TO \"${user}\";"]
}

output "secret_environment" {
  description = "Variables whose values are secrets: none (each workload signs in with IAM)."
  value       = {}
}
