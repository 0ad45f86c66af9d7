# The project's one Service Bus namespace (Standard): every queue and topic lives in it, so a
# topic subscription can forward to a queue (forwarding stays inside a namespace) and the
# adapters reach all of them through one AZURE_SERVICEBUS_NAMESPACE. Entra ID only (no SAS
# keys), TLS 1.2, encrypted at rest.

data "azurerm_client_config" "current" {}

resource "azurerm_servicebus_namespace" "this" {
  #checkov:skip=CKV_AZURE_201:Service Bus encrypts at rest with Microsoft-managed keys; CMK needs Premium and a Key Vault
  #checkov:skip=CKV_AZURE_199:Double encryption needs Premium and a customer-managed key
  #checkov:skip=CKV_AZURE_204:Container Apps reach Service Bus over its public endpoint with Entra ID tokens, as SQS and Pub/Sub are reached on the other clouds; a private endpoint needs Premium
  name                          = local.physical
  resource_group_name           = var.resource_group_name
  location                      = var.location
  sku                           = "Standard"
  local_auth_enabled            = false
  minimum_tls_version           = "1.2"
  public_network_access_enabled = true
  tags                          = var.tags

  identity {
    type = "SystemAssigned"
  }
}
