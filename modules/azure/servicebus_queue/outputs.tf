output "connection" {
  description = "The namespace host and queue name (no secrets: identities authenticate)."
  value = {
    namespace = var.servicebus_namespace
    name      = azurerm_servicebus_queue.this.name
    # its dead-letter queue (null without dead_letter)
    dead_letter = one(azurerm_servicebus_queue.dead_letter[*].name)
  }
}

output "environment" {
  description = "What infrar.messaging reads on Azure: the namespace (managed identity, no connection string)."
  # INFRAR_CREATE_MISSING=0: a deployed program never creates entities (it has no rights to).
  # QUEUE_NAME_<QUEUE>: the deployed names, read by infrar.providers._names (the dead-letter queue
  # under its own program name, <queue>-dead-letter).
  value = merge({
    AZURE_SERVICEBUS_NAMESPACE                                      = var.servicebus_namespace
    INFRAR_CREATE_MISSING                                           = "0"
    "QUEUE_NAME_${upper(replace(var.name, "/[^a-zA-Z0-9]/", "_"))}" = azurerm_servicebus_queue.this.name
  }, { for q in azurerm_servicebus_queue.dead_letter : "QUEUE_NAME_${upper(replace("${var.name}-dead-letter", "/[^a-zA-Z0-9]/", "_"))}" => q.name })
}
