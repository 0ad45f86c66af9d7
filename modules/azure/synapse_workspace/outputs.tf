output "connection" {
  description = "The workspace SQL endpoints, its data lake and the resources whose private endpoint connections from its managed network await approval (no secrets)."
  value = {
    serverless_sql = azurerm_synapse_workspace.this.connectivity_endpoints["sqlOnDemand"]
    data_lake      = azurerm_storage_account.lake.primary_dfs_endpoint
    filesystem     = azurerm_storage_data_lake_gen2_filesystem.this.name
    # what an owner approves once after apply (root output warehouses): see network.tf
    job_private_endpoint_targets = [for endpoint in azurerm_synapse_managed_private_endpoint.jobs : endpoint.target_resource_id]
  }
}

output "environment" {
  description = "What the azure data adapter reads: the serverless SQL connection string (no password: the workload's managed identity signs in), the development endpoint, the Spark pool and the scripts location."
  value = {
    AZURE_SYNAPSE_CONNECTIONSTRING = "Driver={ODBC Driver 18 for SQL Server};Server=tcp:${azurerm_synapse_workspace.this.connectivity_endpoints["sqlOnDemand"]},1433;Encrypt=yes;TrustServerCertificate=no;Connection Timeout=30"
    AZURE_SYNAPSE_ENDPOINT         = azurerm_synapse_workspace.this.connectivity_endpoints["dev"]
    SYNAPSE_SPARK_POOL             = azurerm_synapse_spark_pool.jobs.name
    # the database role of the workspace identity (a database's "<name>-jobs" client, grant_sql): the
    # job signs in as it (infrar.data.scripts carries INFRAR_JOB_<X> as <X>), not as its starter
    INFRAR_JOB_PGUSER = "${var.name}-jobs"
    SYNAPSE_SCRIPTS   = "abfss://${azurerm_storage_data_lake_gen2_filesystem.this.name}@${azurerm_storage_account.lake.name}.dfs.core.windows.net/scripts/"
  }
}

output "secret_environment" {
  description = "Variables whose values are secrets: none (Entra authentication)."
  value       = {}
}

output "job_principal_id" {
  description = "Object id of the workspace identity Spark jobs run as: the resources the workloads starting jobs use grant it their roles too."
  value       = azurerm_synapse_workspace.this.identity[0].principal_id
}

output "grant_sql" {
  description = "T-SQL a member of the Entra administrator group runs once after apply, each statement a batch of its own, in order, on the serverless SQL endpoint: the warehouse database, then a user per workload identity and for the Spark jobs, with the permissions the data adapter's statements need (grants.tf)."
  value       = local.grant_sql
}

output "job_private_endpoint_targets" {
  description = "Resource ids whose pending private endpoint connection from this workspace's managed virtual network an owner approves once after apply (az network private-endpoint-connection approve)."
  value       = [for endpoint in azurerm_synapse_managed_private_endpoint.jobs : endpoint.target_resource_id]
}
