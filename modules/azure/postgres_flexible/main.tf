# Azure Database for PostgreSQL Flexible Server: TLS required, no public network access (a
# private endpoint in var.subnet_id), encrypted at rest, geo-redundant backups off, zone-redundant
# standby with high_availability. Entra-only sign-in: the Entra group administers the server and
# each workload signs in as its own role, mapped to its managed identity (grant_sql creates it),
# with an Entra token; no password exists.

data "azurerm_client_config" "current" {}

locals {
  sku = {
    small  = "B_Standard_B2s"
    medium = "GP_Standard_D2ds_v5"
    large  = "GP_Standard_D4ds_v5"
    xlarge = "GP_Standard_D8ds_v5"
  }[var.size]
  # Flexible Server offers these storage sizes only (MB); the smallest that holds storage_gb.
  # The database as created (letters, digits and '_'); the adapters read PGDATABASE_<NAME>.
  database          = replace(var.name, "-", "_")
  database_variable = "PGDATABASE_${upper(local.database)}"
  storage_mb        = [for mb in [32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4193280, 8388608, 16777216] : mb if mb >= var.storage_gb * 1024][0]
}

resource "azurerm_postgresql_flexible_server" "this" {
  #checkov:skip=CKV_AZURE_136:Geo-redundant backups double the storage bill; backups stay zone-redundant within the region
  name                          = local.server
  resource_group_name           = var.resource_group_name
  location                      = var.location
  version                       = var.engine_version
  sku_name                      = local.sku
  storage_mb                    = local.storage_mb
  backup_retention_days         = var.backup_retention_days
  public_network_access_enabled = false
  zone                          = "1"
  tags                          = var.tags

  authentication {
    active_directory_auth_enabled = true
    password_auth_enabled         = false
    tenant_id                     = data.azurerm_client_config.current.tenant_id
  }

  dynamic "high_availability" {
    for_each = var.high_availability ? [1] : []
    content {
      mode                      = "ZoneRedundant"
      standby_availability_zone = "2"
    }
  }
}

resource "azurerm_postgresql_flexible_server_active_directory_administrator" "this" {
  server_name         = azurerm_postgresql_flexible_server.this.name
  resource_group_name = var.resource_group_name
  tenant_id           = data.azurerm_client_config.current.tenant_id
  object_id           = var.administrator_group_object_id
  principal_name      = "infrar-postgres-admins"
  principal_type      = "Group"
}

resource "azurerm_postgresql_flexible_server_configuration" "require_tls" {
  name      = "require_secure_transport"
  server_id = azurerm_postgresql_flexible_server.this.id
  value     = "on"
}

resource "azurerm_postgresql_flexible_server_configuration" "log_connections" {
  name      = "log_connections"
  server_id = azurerm_postgresql_flexible_server.this.id
  value     = "on"
}

resource "azurerm_postgresql_flexible_server_configuration" "log_checkpoints" {
  name      = "log_checkpoints"
  server_id = azurerm_postgresql_flexible_server.this.id
  value     = "on"
}

resource "azurerm_postgresql_flexible_server_database" "this" {
  name      = local.database
  server_id = azurerm_postgresql_flexible_server.this.id
  charset   = "UTF8"
  collation = "en_US.utf8"
}

resource "azurerm_private_endpoint" "this" {
  name                = local.server
  resource_group_name = var.resource_group_name
  location            = var.location
  subnet_id           = var.subnet_id
  tags                = var.tags

  private_service_connection {
    name                           = local.server
    private_connection_resource_id = azurerm_postgresql_flexible_server.this.id
    subresource_names              = ["postgresqlServer"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "postgres"
    private_dns_zone_ids = [var.private_dns_zone_ids["postgres"]]
  }
}
