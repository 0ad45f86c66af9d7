# The one storage account that holds every bucket (blob container) of the project: TLS 1.2
# only, no shared keys (Entra ID only), no public blobs, infrastructure encryption on,
# soft delete and versioning for blobs and containers.

resource "random_string" "suffix" {
  length  = 8
  special = false
  upper   = false
}

resource "azurerm_storage_account" "this" {
  #checkov:skip=CKV2_AZURE_1:Storage encrypts at rest with Microsoft-managed keys (plus infrastructure encryption); CMK is an organisation choice
  #checkov:skip=CKV2_AZURE_33:A private endpoint needs the organisation's virtual network and DNS zones
  #checkov:skip=CKV_AZURE_35:Apps on Container Apps reach the account over its public endpoint with Entra ID tokens (shared keys are off)
  #checkov:skip=CKV_AZURE_59:Apps on Container Apps reach the account over its public endpoint with Entra ID tokens; set a network rule or private endpoint to close it
  #checkov:skip=CKV_AZURE_33:Queue service logging does not apply: the account holds blobs only
  #checkov:skip=CKV2_AZURE_41:Shared keys are disabled, so no SAS can be signed with them
  name                              = "infrar${random_string.suffix.result}"
  resource_group_name               = var.resource_group_name
  location                          = var.location
  account_kind                      = "StorageV2"
  account_tier                      = "Standard"
  account_replication_type          = var.replication_type
  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  shared_access_key_enabled         = false
  allow_nested_items_to_be_public   = false
  infrastructure_encryption_enabled = true
  default_to_oauth_authentication   = true
  local_user_enabled                = false
  tags                              = var.tags

  blob_properties {
    versioning_enabled = true
    delete_retention_policy {
      days = 7
    }
    container_delete_retention_policy {
      days = 7
    }
  }

  network_rules {
    default_action = "Allow"
    bypass         = ["AzureServices", "Logging", "Metrics"]
  }
}
