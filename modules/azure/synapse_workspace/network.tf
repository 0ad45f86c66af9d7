# Jobs reaching private resources: the Spark pool runs in the workspace's managed virtual network
# (managed_virtual_network_enabled, with data exfiltration protection), which reaches nothing of
# the project's virtual network. Each private database or cache the workloads starting jobs use
# gets a managed private endpoint from it (job_private_endpoints, wired by infrar infra); Synapse
# resolves the resource's host name to it inside the managed network. A managed private endpoint
# is a data-plane call (apply from a network that reaches the workspace, as for the Synapse role
# assignments) and its connection stays pending until it is approved on the target resource
# (no azurerm resource approves it): an owner of the resource approves it once after apply
# (job_private_endpoint_targets, also in the connection output: root output warehouses; docs/data.md).

resource "azurerm_synapse_managed_private_endpoint" "jobs" {
  for_each             = var.job_private_endpoints
  name                 = "${each.key}-${each.value.subresource}"
  synapse_workspace_id = azurerm_synapse_workspace.this.id
  target_resource_id   = each.value.resource_id
  subresource_name     = each.value.subresource
  depends_on           = [azurerm_private_endpoint.workspace] # data plane, through the Dev endpoint
}

# Workloads reach the workspace and its lake through private endpoints in their subnet (public
# network access is off on both): the serverless SQL endpoint (subresource SqlOnDemand) for
# queries, the development endpoint (Dev) for jobs, and the lake's blob endpoint for job
# scripts (infrar.providers.azure._clients.synapse uploads them with a BlobServiceClient). The
# workspace has no dedicated SQL pool, so no endpoint for subresource Sql.
#
# The lake's dfs endpoint is what the azurerm provider itself calls: it creates and reads the
# warehouse filesystem through the Data Lake Storage API (data plane, with Entra ID:
# storage_use_azuread), as it makes the Synapse role assignments and managed private endpoints
# through the development endpoint. With public access off, `tofu apply` therefore runs from a
# machine with line of sight to these endpoints: inside the virtual network (or one peered or
# connected by VPN) resolving the privatelink zones (docs/infra.md). Those resources wait for
# their endpoint (depends_on), whose DNS record exists once the endpoint is created.
locals {
  workspace_endpoints = {
    sql-ondemand = { subresource = "SqlOnDemand", zone = "synapse_sql" }
    dev          = { subresource = "Dev", zone = "synapse_dev" }
  }
  lake_endpoints = {
    dfs  = { subresource = "dfs", zone = "dfs" }
    blob = { subresource = "blob", zone = "blob" }
  }
}

resource "azurerm_private_endpoint" "workspace" {
  for_each            = local.workspace_endpoints
  name                = "${local.workspace}-${each.key}"
  resource_group_name = var.resource_group_name
  location            = var.location
  subnet_id           = var.subnet_id
  tags                = var.tags

  private_service_connection {
    name                           = "${local.workspace}-${each.key}"
    private_connection_resource_id = azurerm_synapse_workspace.this.id
    subresource_names              = [each.value.subresource]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = each.value.zone
    private_dns_zone_ids = [var.private_dns_zone_ids[each.value.zone]]
  }
}

resource "azurerm_private_endpoint" "lake" {
  for_each            = local.lake_endpoints
  name                = "${azurerm_storage_account.lake.name}-${each.key}"
  resource_group_name = var.resource_group_name
  location            = var.location
  subnet_id           = var.subnet_id
  tags                = var.tags

  private_service_connection {
    name                           = "${azurerm_storage_account.lake.name}-${each.key}"
    private_connection_resource_id = azurerm_storage_account.lake.id
    subresource_names              = [each.value.subresource]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = each.value.zone
    private_dns_zone_ids = [var.private_dns_zone_ids[each.value.zone]]
  }
}
