output "connection" {
  description = "Where the database is (no password: that is in secret_environment)."
  value = {
    host     = azurerm_postgresql_flexible_server.this.fqdn
    port     = "5432"
    database = azurerm_postgresql_flexible_server_database.this.name
    username = azurerm_postgresql_flexible_server.this.administrator_login
  }
}

output "environment" {
  description = "libpq's variables for the workloads that use this database (TLS required)."
  value = {
    PGHOST    = azurerm_postgresql_flexible_server.this.fqdn
    PGPORT    = "5432"
    PGUSER    = azurerm_postgresql_flexible_server.this.administrator_login
    PGSSLMODE = "require"
  }
}

output "secret_environment" {
  description = "PGPASSWORD, kept as a Container Apps secret of the workloads that use this database."
  value       = { PGPASSWORD = random_password.admin.result }
  sensitive   = true
}
