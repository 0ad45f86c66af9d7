# A Container App (web application or API): HTTPS only (plain HTTP refused), running as its own
# user-assigned managed identity, which holds no role of its own: the resources it uses grant
# it exactly their roles. AZURE_CLIENT_ID tells azure-identity which identity to use.

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

resource "azurerm_container_app" "this" {
  name                         = local.physical
  resource_group_name          = var.resource_group_name
  container_app_environment_id = var.container_app_environment_id
  revision_mode                = "Single"
  tags                         = var.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this.id]
  }

  # Without ingress (a background worker without a schedule) the replicas just run.
  dynamic "ingress" {
    for_each = var.ingress ? [1] : []
    content {
      external_enabled           = var.external
      target_port                = var.port
      allow_insecure_connections = false
      transport                  = "auto"
      traffic_weight {
        latest_revision = true
        percentage      = 100
      }
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
    min_replicas = var.min_instances
    max_replicas = var.max_instances

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

      dynamic "liveness_probe" {
        for_each = var.ingress ? [1] : []
        content {
          transport = "HTTP"
          port      = var.port
          path      = var.health_check_path
        }
      }

      dynamic "readiness_probe" {
        for_each = var.ingress ? [1] : []
        content {
          transport = "HTTP"
          port      = var.port
          path      = var.health_check_path
        }
      }
    }
  }
}
