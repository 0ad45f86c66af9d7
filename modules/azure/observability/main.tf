# Where infrar.observability sends telemetry on Azure: a Log Analytics workspace and a
# workspace-based Application Insights resource (logs, metrics and traces all land in the
# workspace, kept retention_days). The Azure Monitor exporter authenticates with the connection
# string, handed to the workloads as a Container Apps secret (secret_environment), never as a
# plain variable.

locals {
  # who writes here, for whoever reads the workspace (a tag value holds 256 characters)
  store_tags = merge(var.tags, { "infrar-services" = substr(join(" ", var.services), 0, 256) })
}

# The deployment's own names (<project>-<environment>-logs, -insights): two environments in one
# resource group keep apart. A workspace name holds 63 characters.
locals {
  base = var.name_prefix == "" ? "${var.namespace}-" : var.name_prefix
}

resource "azurerm_log_analytics_workspace" "this" {
  name                = "${local.base}logs"
  resource_group_name = var.resource_group_name
  location            = var.location
  sku                 = "PerGB2018"
  retention_in_days   = var.retention_days
  daily_quota_gb      = var.daily_quota_gb
  tags                = local.store_tags
}

resource "azurerm_application_insights" "this" {
  name                = "${local.base}insights"
  resource_group_name = var.resource_group_name
  location            = var.location
  workspace_id        = azurerm_log_analytics_workspace.this.id
  application_type    = "other"
  retention_in_days   = var.retention_days
  tags                = local.store_tags
}
