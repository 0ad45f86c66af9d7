# The private DNS zones that resolve the private endpoints of the project's storage account, databases, caches and Synapse workspaces inside
# the virtual network (one zone per service, shared by every server or cache of that service).
#
# A private endpoint registers only in a zone named exactly privatelink.<service domain>, and a resource group holds
# one zone of a name: a second deployment into the same resource group (another environment), or a subscription whose
# zones live in a hub, takes the existing zones (existing_private_dns_zone_ids, e.g. the first deployment's
# module.private_dns_zones.ids) instead of creating its own. A zone is linked to a virtual network once:
# link_existing_private_dns_zones = false when the existing zones already resolve in this deployment's network (the
# same network, or a hub linked centrally).

locals {
  storage_and_databases = {
    postgres = "privatelink.postgres.database.azure.com"
    sql      = "privatelink.database.windows.net"
    redis    = "privatelink.redis.cache.windows.net"
    blob     = "privatelink.blob.core.windows.net"
  }
  # a Synapse workspace's serverless SQL and development endpoints and its data lake's dfs endpoint
  # (which the provider creates the lake filesystem through), only where a warehouse is
  synapse = {
    synapse_sql = "privatelink.sql.azuresynapse.net"
    synapse_dev = "privatelink.dev.azuresynapse.net"
    dfs         = "privatelink.dfs.core.windows.net"
  }
  zones   = merge(local.storage_and_databases, contains(var.kinds, "warehouse") ? local.synapse : {})
  created = { for key, zone in local.zones : key => zone if !contains(keys(var.existing_private_dns_zone_ids), key) }
  # the existing zones by name and resource group, parsed from their ids (.../resourceGroups/<rg>/.../privateDnsZones/<zone>)
  existing = { for key, id in var.existing_private_dns_zone_ids : key => {
    name           = element(split("/", id), length(split("/", id)) - 1)
    resource_group = element(split("/", id), index([for part in split("/", id) : lower(part)], "resourcegroups") + 1)
  } }
  linked = var.link_existing_private_dns_zones ? local.existing : {}
}

resource "azurerm_private_dns_zone" "this" {
  for_each            = local.created
  name                = each.value
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "this" {
  for_each              = local.created
  name                  = "${var.name_prefix}${each.key}-link"
  resource_group_name   = var.resource_group_name
  private_dns_zone_name = azurerm_private_dns_zone.this[each.key].name
  virtual_network_id    = var.virtual_network_id
  registration_enabled  = false
  tags                  = var.tags
}

# Existing zones resolve in this deployment's network too; the link is named after the deployment, so each
# deployment that shares a zone has its own.
resource "azurerm_private_dns_zone_virtual_network_link" "existing" {
  for_each              = local.linked
  name                  = "${var.name_prefix}${each.key}-link"
  resource_group_name   = each.value.resource_group
  private_dns_zone_name = each.value.name
  virtual_network_id    = var.virtual_network_id
  registration_enabled  = false
  tags                  = var.tags
}
