# Azure SQL Database: Entra-only authentication (the SQL admin password is generated with
# random_password, sensitive, and disabled), TLS 1.2, no public network access, TDE at rest,
# auditing and threat detection on.

data "azurerm_client_config" "current" {}

locals {
  sku = { small = "S1", medium = "GP_Gen5_2", large = "GP_Gen5_4", xlarge = "GP_Gen5_8" }[var.size]
}

resource "random_password" "admin" {
  length      = 32
  special     = true
  min_upper   = 2
  min_lower   = 2
  min_numeric = 2
  min_special = 2
}

resource "azurerm_mssql_server" "this" {
  #checkov:skip=CKV_AZURE_23:Auditing is configured by azurerm_mssql_server_extended_auditing_policy below
  #checkov:skip=CKV_AZURE_24:Audit retention is configured by azurerm_mssql_server_extended_auditing_policy below
  #checkov:skip=CKV2_AZURE_2:Vulnerability assessment needs a storage container the organisation chooses
  name                          = local.server
  resource_group_name           = var.resource_group_name
  location                      = var.location
  version                       = "12.0"
  administrator_login           = "infrar_admin"
  administrator_login_password  = random_password.admin.result
  minimum_tls_version           = "1.2"
  public_network_access_enabled = false
  tags                          = var.tags

  azuread_administrator {
    login_username              = "infrar-sql-admins"
    object_id                   = var.administrator_group_object_id
    tenant_id                   = data.azurerm_client_config.current.tenant_id
    azuread_authentication_only = true
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_mssql_server_extended_auditing_policy" "this" {
  server_id              = azurerm_mssql_server.this.id
  log_monitoring_enabled = true
  retention_in_days      = 120
}

resource "azurerm_mssql_server_security_alert_policy" "this" {
  #checkov:skip=CKV_AZURE_26:Alerts go to the subscription's administrators (email_account_admins); add email_addresses for a team address
  resource_group_name  = var.resource_group_name
  server_name          = azurerm_mssql_server.this.name
  state                = "Enabled"
  email_account_admins = true
}

resource "azurerm_mssql_database" "this" {
  #checkov:skip=CKV_AZURE_229:Zone redundancy follows the project's high_availability setting (true by default in this module)
  #checkov:skip=CKV_AZURE_224:Ledger makes every table append-only, which ordinary applications cannot use
  name                                = var.name
  server_id                           = azurerm_mssql_server.this.id
  sku_name                            = local.sku
  max_size_gb                         = var.storage_gb
  zone_redundant                      = var.high_availability
  transparent_data_encryption_enabled = true
  tags                                = var.tags

  short_term_retention_policy {
    retention_days = var.backup_retention_days
  }

  lifecycle {
    precondition {
      condition     = var.size != "small" || (var.storage_gb <= 250 && !var.high_availability)
      error_message = "size small is the S1 (Standard) tier: at most 250 GB and no zone redundancy; choose size medium or above for more storage or high_availability."
    }
  }
}

# Public network access is off: the workloads reach the server through this private endpoint.
resource "azurerm_private_endpoint" "this" {
  name                = local.server
  resource_group_name = var.resource_group_name
  location            = var.location
  subnet_id           = var.subnet_id
  tags                = var.tags

  private_service_connection {
    name                           = local.server
    private_connection_resource_id = azurerm_mssql_server.this.id
    subresource_names              = ["sqlServer"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "sql"
    private_dns_zone_ids = [var.private_dns_zone_ids["sql"]]
  }
}
