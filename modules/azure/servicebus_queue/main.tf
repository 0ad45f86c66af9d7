# A queue on Azure Service Bus (its own Standard namespace): Entra ID only (no SAS keys),
# TLS 1.2, encrypted at rest; workloads that use it may send and receive on this queue only.

resource "random_id" "namespace" {
  byte_length = 4
}

resource "azurerm_servicebus_namespace" "this" {
  #checkov:skip=CKV_AZURE_201:Service Bus encrypts at rest with Microsoft-managed keys; CMK needs Premium and a Key Vault
  #checkov:skip=CKV_AZURE_199:Double encryption needs Premium and a customer-managed key
  #checkov:skip=CKV_AZURE_204:Container Apps reach Service Bus over its public endpoint with Entra ID tokens; a private endpoint needs Premium
  name                          = "${var.name}-${random_id.namespace.hex}"
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

resource "azurerm_servicebus_queue" "this" {
  name                                 = var.name
  namespace_id                         = azurerm_servicebus_namespace.this.id
  requires_session                     = var.fifo
  lock_duration                        = "PT${var.visibility_timeout_seconds}S"
  max_delivery_count                   = var.dead_letter ? 5 : 100
  dead_lettering_on_message_expiration = var.dead_letter
}

resource "azurerm_role_assignment" "sender" {
  for_each             = toset(var.principal_ids)
  scope                = azurerm_servicebus_queue.this.id
  role_definition_name = "Azure Service Bus Data Sender"
  principal_id         = each.value
}

resource "azurerm_role_assignment" "receiver" {
  for_each             = toset(var.principal_ids)
  scope                = azurerm_servicebus_queue.this.id
  role_definition_name = "Azure Service Bus Data Receiver"
  principal_id         = each.value
}
