output "connection" {
  description = "Where the database is and who administers it (Entra-only: no password)."
  value = {
    host          = azurerm_postgresql_flexible_server.this.fqdn
    port          = "5432"
    database      = azurerm_postgresql_flexible_server_database.this.name
    administrator = azurerm_postgresql_flexible_server_active_directory_administrator.this.principal_name
  }
}

output "environment" {
  description = "libpq's variables (TLS required), Entra sign-in (AZURE_POSTGRES_ENTRA: the adapter sends an Entra token of the workload's identity as the password) and PGDATABASE_<NAME>, the database's name on the server."
  value = {
    (local.database_variable) = azurerm_postgresql_flexible_server_database.this.name
    PGHOST                    = azurerm_postgresql_flexible_server.this.fqdn
    PGPORT                    = "5432"
    PGSSLMODE                 = "require"
    AZURE_POSTGRES_ENTRA      = "true"
  }
}

output "client_environment" {
  description = "By workload (client_principals): the Entra role it signs in as (PGUSER), mapped to its managed identity by grant_sql."
  value       = { for workload, _ in var.client_principals : workload => { PGUSER = workload } }
}

output "grant_sql" {
  description = "SQL a member of the Entra administrator group runs once: the first statement of each workload in the postgres database (its role, mapped to its managed identity), the second in this database (what it may use)."
  value = flatten([for workload, id in var.client_principals : [
    "SELECT * FROM pgaadauth_create_principal_with_oid('${workload}', '${id}', 'service', false, false);",
    "GRANT CONNECT, TEMPORARY ON DATABASE \"${azurerm_postgresql_flexible_server_database.this.name}\" TO \"${workload}\"; GRANT USAGE, CREATE ON SCHEMA public TO \"${workload}\";",
  ]])
}

output "secret_environment" {
  description = "Variables whose values are secrets: none (Entra tokens)."
  value       = {}
}

output "private_link" {
  description = "The Private Link target of the server (resource id and sub-resource): a Synapse warehouse whose jobs' starters use it makes a managed private endpoint to it."
  value = {
    resource_id = azurerm_postgresql_flexible_server.this.id
    subresource = "postgresqlServer"
  }
}
