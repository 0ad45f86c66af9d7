output "connection" {
  description = "The namespace host, topic and subscription names (no secrets)."
  value = {
    namespace     = var.servicebus_namespace
    name          = azurerm_servicebus_topic.this.name
    subscriptions = join(",", sort(keys(var.subscriber_queues)))
  }
}

output "environment" {
  description = "What infrar.messaging reads on Azure: the namespace (managed identity, no connection string)."
  # INFRAR_CREATE_MISSING=0: a deployed program never creates entities (it has no rights to).
  # TOPIC_NAME_<TOPIC>: the deployed name, read by infrar.providers._names.
  value = {
    AZURE_SERVICEBUS_NAMESPACE                                      = var.servicebus_namespace
    INFRAR_CREATE_MISSING                                           = "0"
    "TOPIC_NAME_${upper(replace(var.name, "/[^a-zA-Z0-9]/", "_"))}" = azurerm_servicebus_topic.this.name
  }
}
