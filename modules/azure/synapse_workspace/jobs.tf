# What infrar.data.run_job needs on Azure: a Spark pool the job definitions run on (paused when
# idle), the scripts prefix of the lake filesystem, and Synapse RBAC for the workloads: define
# Spark job definitions, pipelines and triggers, run them, and let them use the workspace identity.
# Synapse role assignments are data-plane calls: apply from a network that reaches the workspace.

resource "azurerm_synapse_spark_pool" "jobs" {
  #checkov:skip=CKV_AZURE_242:Isolated compute needs XXXLarge nodes (80 vCores each); the managed virtual network already isolates the pool
  name                 = "jobs"
  synapse_workspace_id = azurerm_synapse_workspace.this.id
  node_size_family     = "MemoryOptimized"
  node_size            = "Small" # 4 vCores, 32 GB: the adapter's driver and executor sizes
  spark_version        = "3.4"
  tags                 = var.tags

  auto_scale {
    min_node_count = 3
    max_node_count = var.spark_max_nodes
  }

  auto_pause {
    delay_in_minutes = 15
  }
}

resource "azurerm_synapse_role_assignment" "contributor" {
  for_each             = toset(var.principal_ids)
  synapse_workspace_id = azurerm_synapse_workspace.this.id
  role_name            = "Synapse Contributor"
  principal_id         = each.value
  principal_type       = "ServicePrincipal"
  depends_on           = [azurerm_private_endpoint.workspace] # data plane, through the Dev endpoint
}

resource "azurerm_synapse_role_assignment" "credential_user" {
  for_each             = toset(var.principal_ids)
  synapse_workspace_id = azurerm_synapse_workspace.this.id
  role_name            = "Synapse Credential User"
  principal_id         = each.value
  principal_type       = "ServicePrincipal"
  depends_on           = [azurerm_private_endpoint.workspace] # data plane, through the Dev endpoint
}
