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
  # Reached only through the private endpoint below, as the buckets of the other clouds are
  # reached only by the workloads granted on them; containers are managed through Azure Resource
  # Manager (storage_account_id), so deploying needs no data-plane access either.
  public_network_access_enabled = false
  tags                          = var.tags

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
    default_action = "Deny"
    bypass         = ["AzureServices", "Logging", "Metrics"]
  }
}

# The workloads (Container Apps and AKS in the virtual network) reach the blob endpoint here; its
# private DNS zone makes <account>.blob.core.windows.net resolve to this address inside the network.
resource "azurerm_private_endpoint" "blob" {
  name                = "${azurerm_storage_account.this.name}-blob"
  resource_group_name = var.resource_group_name
  location            = var.location
  subnet_id           = var.subnet_id
  tags                = var.tags

  private_service_connection {
    name                           = "${azurerm_storage_account.this.name}-blob"
    private_connection_resource_id = azurerm_storage_account.this.id
    subresource_names              = ["blob"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "blob"
    private_dns_zone_ids = [var.private_dns_zone_ids["blob"]]
  }
}
