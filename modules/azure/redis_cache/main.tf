# Azure Cache for Redis: TLS 1.2 only (no plain port), encrypted at rest, no public access (a
# private endpoint in var.subnet_id, as ElastiCache and Memorystore are private). The cache adapter
# (redis-py) signs in with the access key: the rediss:// URL holding it reaches the workloads that
# use this cache as a Container Apps secret (REDIS_URL_<NAME>) and nowhere else. Entra ID
# authentication stays on, with a data access policy for each of those workloads' identities.

locals {
  capacity = { small = 1, medium = 3, large = 4, xlarge = 5 }[var.size]
  # infrar.cache.redis_ops.url_variable: upper case, every other character an underscore
  url_variable = "REDIS_URL_${upper(replace(var.name, "-", "_"))}"
  # Cache names are global host names (<name>.redis.cache.windows.net, at most 63 letters, digits
  # and single hyphens): <project>-<environment>-<name>, cut to leave room for a hash of the
  # subscription, resource group and that name, so two deployments of a project get two caches.
  qualified = "${var.name_prefix}${var.name}"
  physical  = "${trimsuffix(substr(local.qualified, 0, 54), "-")}-${substr(sha1("${data.azurerm_client_config.current.subscription_id}/${var.resource_group_name}/${local.qualified}"), 0, 8)}"
}

data "azurerm_client_config" "current" {}

resource "azurerm_redis_cache" "this" {
  #checkov:skip=CKV_AZURE_230:Replication (Standard tier) follows the project's high_availability setting (true by default in this module)
  name                               = local.physical
  resource_group_name                = var.resource_group_name
  location                           = var.location
  sku_name                           = var.high_availability ? "Standard" : "Basic"
  family                             = "C"
  capacity                           = local.capacity
  non_ssl_port_enabled               = false
  minimum_tls_version                = "1.2"
  public_network_access_enabled      = false
  access_keys_authentication_enabled = true
  tags                               = var.tags

  redis_configuration {
    active_directory_authentication_enabled = true
  }
}

resource "azurerm_redis_cache_access_policy_assignment" "this" {
  for_each           = toset(var.principal_ids)
  name               = substr(replace(each.value, "-", ""), 0, 24)
  redis_cache_id     = azurerm_redis_cache.this.id
  access_policy_name = "Data Contributor"
  object_id          = each.value
  object_id_alias    = each.value
}

resource "azurerm_private_endpoint" "this" {
  name                = "${local.physical}-redis"
  resource_group_name = var.resource_group_name
  location            = var.location
  subnet_id           = var.subnet_id
  tags                = var.tags

  private_service_connection {
    name                           = "${local.physical}-redis"
    private_connection_resource_id = azurerm_redis_cache.this.id
    subresource_names              = ["redisCache"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "redis"
    private_dns_zone_ids = [var.private_dns_zone_ids["redis"]]
  }
}
