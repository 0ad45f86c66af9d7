# The Container Apps environment every service and job of the project runs in, inside the
# virtual network (container_apps_subnet_id), with its logs in a Log Analytics workspace (kept 90 days).

locals {
  # the deployment's own (<project>-<environment>-apps): two environments in one resource group keep apart
  base = var.name_prefix == "" ? "${var.resource_group_name}-" : var.name_prefix
}

resource "azurerm_log_analytics_workspace" "this" {
  name                = "${local.base}apps-logs"
  resource_group_name = var.resource_group_name
  location            = var.location
  sku                 = "PerGB2018"
  retention_in_days   = 90
  tags                = var.tags
}

resource "azurerm_container_app_environment" "this" {
  name                       = "${local.base}apps"
  resource_group_name        = var.resource_group_name
  location                   = var.location
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id
  # In the virtual network, so the apps reach the databases' private endpoints.
  infrastructure_subnet_id = var.container_apps_subnet_id
  tags                     = var.tags

  workload_profile {
    name                  = "Consumption"
    workload_profile_type = "Consumption"
  }
}
