# Deployed names: <project>-<environment>-<name> (name_prefix). The server's name is a global host
# name (3-63 lowercase letters, digits and hyphens, neither first nor last a hyphen): cut to leave
# room for a hash of the subscription, resource group and that name, so two deployments of a
# project get two servers (as modules/azure/redis_cache does). Its private endpoint takes the same.

locals {
  qualified = "${var.name_prefix}${var.name}"
  server    = "${trimsuffix(substr(local.qualified, 0, 54), "-")}-${substr(sha1("${data.azurerm_client_config.current.subscription_id}/${var.resource_group_name}/${local.qualified}"), 0, 8)}"
}
