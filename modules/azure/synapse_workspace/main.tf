# A Synapse Analytics workspace over its own Data Lake Storage Gen2 account: Entra-only
# authentication (the SQL admin password is generated, sensitive, unused), managed virtual
# network with data exfiltration protection, no public network access (workloads reach it through
# private endpoints: network.tf), TLS 1.2, encrypted at rest. Workloads that use it may read and
# write its data lake filesystem only.

locals {
  # Workspace names are global: <prefix><name> cut to 41 characters, then a hash of the resource
  # group and that name (lowercase letters, digits and hyphens, at most 50, no "-ondemand").
  qualified = replace(lower("${var.name_prefix}${var.name}"), "_", "-")
  workspace = "${trimsuffix(substr(local.qualified, 0, 41), "-")}-${substr(sha1("${var.resource_group_name}/${local.qualified}"), 0, 8)}"
}

resource "random_password" "sql_admin" {
  length      = 32
  special     = true
  min_upper   = 2
  min_lower   = 2
  min_numeric = 2
  min_special = 2
}

resource "random_string" "suffix" {
  length  = 8
  special = false
  upper   = false
}

resource "azurerm_storage_account" "lake" {
  #checkov:skip=CKV2_AZURE_1:Storage encrypts at rest with Microsoft-managed keys (plus infrastructure encryption); CMK is an organisation choice
  #checkov:skip=CKV_AZURE_33:Queue service logging does not apply: the account holds the data lake only
  #checkov:skip=CKV2_AZURE_41:Shared keys are disabled, so no SAS can be signed with them
  #checkov:skip=CKV_AZURE_206:Zone-redundant storage; geo-replication of a warehouse is a disaster-recovery choice
  name                              = "lake${random_string.suffix.result}"
  resource_group_name               = var.resource_group_name
  location                          = var.location
  account_kind                      = "StorageV2"
  account_tier                      = "Standard"
  account_replication_type          = "ZRS"
  is_hns_enabled                    = true
  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  shared_access_key_enabled         = false
  allow_nested_items_to_be_public   = false
  infrastructure_encryption_enabled = true
  public_network_access_enabled     = false
  local_user_enabled                = false
  tags                              = var.tags

  blob_properties {
    delete_retention_policy {
      days = 7
    }
    container_delete_retention_policy {
      days = 7
    }
  }

  network_rules {
    default_action = "Deny"
    bypass         = ["AzureServices", "Logging", "Metrics"]
  }
}

resource "azurerm_storage_data_lake_gen2_filesystem" "this" {
  name               = "warehouse"
  storage_account_id = azurerm_storage_account.lake.id
  # made through the lake's dfs endpoint (data plane), private only: network.tf
  depends_on = [azurerm_private_endpoint.lake]
}

resource "azurerm_synapse_workspace" "this" {
  #checkov:skip=CKV2_AZURE_19:The workspace uses Entra-only authentication; a customer-managed key is an organisation choice
  #checkov:skip=CKV_AZURE_240:Encryption with a customer-managed key needs a Key Vault key the organisation owns
  #checkov:skip=CKV_AZURE_239:The generated password (random_password, never output) cannot log in: azuread_authentication_only = true
  name                                 = local.workspace
  resource_group_name                  = var.resource_group_name
  location                             = var.location
  storage_data_lake_gen2_filesystem_id = azurerm_storage_data_lake_gen2_filesystem.this.id
  sql_administrator_login              = "infrar_admin"
  sql_administrator_login_password     = random_password.sql_admin.result
  azuread_authentication_only          = true
  managed_virtual_network_enabled      = true
  data_exfiltration_protection_enabled = true
  public_network_access_enabled        = false
  tags                                 = var.tags

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_synapse_workspace_extended_auditing_policy" "this" {
  synapse_workspace_id   = azurerm_synapse_workspace.this.id
  log_monitoring_enabled = true
  retention_in_days      = 120
}

resource "azurerm_synapse_workspace_aad_admin" "this" {
  synapse_workspace_id = azurerm_synapse_workspace.this.id
  login                = "infrar-synapse-admins"
  object_id            = var.administrator_group_object_id
  tenant_id            = azurerm_synapse_workspace.this.identity[0].tenant_id
}

resource "azurerm_role_assignment" "workspace_lake" {
  scope                = azurerm_storage_account.lake.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_synapse_workspace.this.identity[0].principal_id
}

resource "azurerm_role_assignment" "lake" {
  for_each             = toset(var.principal_ids)
  scope                = "${azurerm_storage_account.lake.id}/blobServices/default/containers/${azurerm_storage_data_lake_gen2_filesystem.this.name}"
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = each.value
}
