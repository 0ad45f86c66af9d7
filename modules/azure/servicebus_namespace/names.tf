locals {
  # Namespace names are global host names (<name>.servicebus.windows.net: 6-50 letters, digits and
  # hyphens, a letter first): <project>-<environment>-bus, cut to leave room for a hash of the
  # subscription, resource group and that name, so two deployments of a project get two namespaces.
  qualified = "${trim(replace(lower(var.name_prefix), "/[^a-z0-9-]+/", "-"), "-")}-bus"
  physical  = "${trimsuffix(substr(local.qualified, 0, 41), "-")}-${substr(sha1("${data.azurerm_client_config.current.subscription_id}/${var.resource_group_name}/${local.qualified}"), 0, 8)}"
}
