output "connection" {
  description = "Where the database is (identities authenticate through Entra ID; no password)."
  value = {
    host     = azurerm_mssql_server.this.fully_qualified_domain_name
    port     = "1433"
    database = azurerm_mssql_database.this.name
  }
}

output "grant_sql" {
  description = "T-SQL a member of the Entra administrator group runs once in the database: each workload's contained user, mapped to its managed identity, reading and writing data."
  value       = [for workload, id in var.client_principals : "CREATE USER [${workload}] FROM EXTERNAL PROVIDER WITH OBJECT_ID = '${id}'; ALTER ROLE db_datareader ADD MEMBER [${workload}]; ALTER ROLE db_datawriter ADD MEMBER [${workload}];"]
}

output "environment" {
  description = "AZURE_SQL_CONNECTIONSTRING (what Service Connector sets): no password, the workload's managed identity signs in."
  value = {
    AZURE_SQL_CONNECTIONSTRING = "Driver={ODBC Driver 18 for SQL Server};Server=tcp:${azurerm_mssql_server.this.fully_qualified_domain_name},1433;Database=${azurerm_mssql_database.this.name};Encrypt=yes;TrustServerCertificate=no;Connection Timeout=30"
  }
}

output "secret_environment" {
  description = "Variables whose values are secrets: none (Entra authentication)."
  value       = {}
}

output "private_link" {
  description = "The Private Link target of the server (resource id and sub-resource): a Synapse warehouse whose jobs' starters use it makes a managed private endpoint to it."
  value = {
    resource_id = azurerm_mssql_server.this.id
    subresource = "sqlServer"
  }
}
