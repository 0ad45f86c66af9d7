output "connection" {
  description = "The workspace SQL endpoints and its data lake (no secrets)."
  value = {
    serverless_sql = azurerm_synapse_workspace.this.connectivity_endpoints["sqlOnDemand"]
    data_lake      = azurerm_storage_account.lake.primary_dfs_endpoint
    filesystem     = azurerm_storage_data_lake_gen2_filesystem.this.name
  }
}
