output "connection" {
  description = "The namespace host, topic and subscription names (no secrets)."
  value = {
    namespace     = "${azurerm_servicebus_namespace.this.name}.servicebus.windows.net"
    name          = azurerm_servicebus_topic.this.name
    subscriptions = join(",", sort(var.subscriptions))
  }
}
