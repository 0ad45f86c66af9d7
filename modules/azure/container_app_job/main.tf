# A background worker as a Container Apps job (on a cron schedule or started on demand),
# running as its own managed identity with no role of its own.

resource "azurerm_user_assigned_identity" "this" {
  name                = "${local.physical}-identity"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

locals {
  environment = merge(var.env, var.environment, { AZURE_CLIENT_ID = azurerm_user_assigned_identity.this.client_id })
  # The names are not secret, only the values: Container Apps secret names are lower case and '-'.
  secret_names = { for key in nonsensitive(keys(var.secret_environment)) : key => lower(replace(key, "_", "-")) }
}

resource "azurerm_container_app_job" "this" {
  name                         = local.physical
  resource_group_name          = var.resource_group_name
  location                     = var.location
  container_app_environment_id = var.container_app_environment_id
  replica_timeout_in_seconds   = 3600
  replica_retry_limit          = 3
  tags                         = var.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this.id]
  }

  dynamic "schedule_trigger_config" {
    for_each = var.schedule == null ? [] : [var.schedule]
    content {
      cron_expression = schedule_trigger_config.value
      # one run per tick: a single replica, done when it completes
      parallelism              = 1
      replica_completion_count = 1
    }
  }

  dynamic "manual_trigger_config" {
    for_each = var.schedule == null ? [1] : []
    content {
      parallelism              = var.max_instances
      replica_completion_count = var.max_instances
    }
  }

  dynamic "secret" {
    for_each = local.secret_names
    content {
      name  = secret.value
      value = var.secret_environment[secret.key]
    }
  }

  template {
    container {
      name   = var.name
      image  = var.container_image
      cpu    = var.cpu
      memory = "${var.cpu * 2}Gi"

      dynamic "env" {
        for_each = local.environment
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = local.secret_names
        content {
          name        = env.key
          secret_name = env.value
        }
      }
    }
  }
}
