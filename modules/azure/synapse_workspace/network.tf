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
}
